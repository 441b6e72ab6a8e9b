/** Checksums and file checks, streamed so that large files are never read into memory at once. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ManifestFile } from './manifest';

/** Hex digest of a file. */
export async function hashFile(file: string, algorithm: 'sha256' | 'md5' = 'sha256'): Promise<string> {
  const hash = crypto.createHash(algorithm);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Files unpacked from a verified archive, with the checksums they had then (`.verified.json` in the dataset folder).
 * Lets official files whose checksums differ from the course copy (CIFAR-10's test batch) pass later checks.
 */
export interface VerifiedStamp {
  source: string;
  files: Record<string, { size: number; sha256: string }>;
}

export const STAMP_FILE = '.verified.json';

export function readStamp(folder: string): VerifiedStamp | undefined {
  const file = path.join(folder, STAMP_FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as VerifiedStamp;
}

export type FileState =
  | { state: 'ok'; file: string }
  | { state: 'missing'; file: string }
  | { state: 'bad'; file: string; problem: string };

/** Check one file against its manifest entry (or the archive stamp): size first, then sha256. */
export async function checkFile(folder: string, entry: ManifestFile, stamp?: VerifiedStamp): Promise<FileState> {
  const file = path.join(folder, entry.path);
  if (!fs.existsSync(file)) return { state: 'missing', file };
  const size = fs.statSync(file).size;
  const stamped = stamp?.files[entry.path];
  const sizeOk = size === entry.size || stamped?.size === size;
  if (!sizeOk) {
    return { state: 'bad', file, problem: `expected ${entry.size.toLocaleString('en-US')} bytes, found ${size.toLocaleString('en-US')}` };
  }
  const digest = await hashFile(file);
  if (entry.sha256.includes(digest) || stamped?.sha256 === digest) return { state: 'ok', file };
  const expected = [...new Set([...entry.sha256, ...(stamped ? [stamped.sha256] : [])])].join(' or ');
  return { state: 'bad', file, problem: `sha256 mismatch: expected ${expected}, found ${digest}` };
}

/** Problems of a downloaded/copied file against the expected size and digests, or undefined when it is right. */
export async function verifyAgainst(
  file: string,
  expected: { size?: number; sha256?: string[]; md5?: string },
): Promise<string | undefined> {
  const size = fs.statSync(file).size;
  if (expected.size !== undefined && size !== expected.size) {
    return `expected ${expected.size.toLocaleString('en-US')} bytes, got ${size.toLocaleString('en-US')}`;
  }
  if (expected.sha256 && expected.sha256.length > 0) {
    const digest = await hashFile(file, 'sha256');
    if (!expected.sha256.includes(digest)) return `sha256 mismatch: expected ${expected.sha256.join(' or ')}, got ${digest}`;
  }
  if (expected.md5) {
    const digest = await hashFile(file, 'md5');
    if (digest !== expected.md5) return `md5 mismatch: expected ${expected.md5}, got ${digest}`;
  }
  return undefined;
}
