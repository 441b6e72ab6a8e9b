/** Unpack one folder of a .tar.gz into a dataset folder through a temporary folder, recording what came out. */
import * as fs from 'fs';
import * as path from 'path';
import * as tar from 'tar';
import { hashFile, STAMP_FILE, VerifiedStamp } from './verify';

/**
 * Extract `member/` of `archive` into `folder` (files are moved in only after the whole extraction succeeded) and
 * write `.verified.json` with each file's size and sha256. Returns the extracted relative paths.
 */
export async function unpackArchiveMember(archive: string, member: string, folder: string, source: string): Promise<string[]> {
  const temp = `${folder}.unpacking`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp, { recursive: true });
  try {
    const prefix = `${member.replace(/\/$/, '')}/`;
    await tar.x({ file: archive, cwd: temp, strict: true, filter: (p) => p.replace(/^\.\//, '').startsWith(prefix) });
    const root = path.join(temp, member);
    if (!fs.existsSync(root)) throw new Error(`${archive}: no folder ${member}/ inside the archive`);
    const files = listFiles(root);
    if (files.length === 0) throw new Error(`${archive}: folder ${member}/ is empty`);
    const stamp: VerifiedStamp = { source, files: {} };
    for (const rel of files) {
      const file = path.join(root, rel);
      stamp.files[rel] = { size: fs.statSync(file).size, sha256: await hashFile(file) };
    }
    fs.mkdirSync(folder, { recursive: true });
    for (const rel of files) {
      fs.mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
      fs.renameSync(path.join(root, rel), path.join(folder, rel));
    }
    fs.writeFileSync(path.join(folder, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
    return files;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return listFiles(path.join(dir, e.name), rel);
    return e.isFile() ? [rel] : [];
  });
}
