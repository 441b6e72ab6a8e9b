/**
 * `npm run datasets -- [names] [--from DIR] [--check] [--dir DIR] [--keep-archive] [--list]`
 *
 * For each dataset (default: all manifests in datasets/), checks the files in the data directory (size + sha256),
 * downloads what is missing from the official URL (resuming), or imports it from a local folder with --from,
 * verifies, unpacks, and prints one line per file that is still missing, saying how to provide it.
 */
import * as path from 'path';
import { dataDir, projectRoot } from '@dl-course/lib/config';
import { readManifests } from './datasets/manifest';
import { ensureDataset } from './datasets/ensure';
import { existingFolder, parseCommandLine } from './tooling/cli';

const USAGE = 'usage: npm run datasets -- [names...] [--from DIR] [--check] [--dir DATA_DIR] [--keep-archive] [--list]';

function readCommandLine() {
  const { values, positionals } = parseCommandLine(
    {
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        dir: { type: 'string' },
        check: { type: 'boolean' },
        list: { type: 'boolean' },
        'keep-archive': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  for (const flag of ['from', 'dir'] as const) if (values[flag] === '') throw new Error(`--${flag} needs a folder`);
  // one clear line rather than "not found in DIR" for every file of every dataset
  if (values.from !== undefined) existingFolder('--from', values.from);
  return { names: positionals, from: values.from, dir: values.dir, check: values.check ?? false, list: values.list ?? false, keepArchive: values['keep-archive'] ?? false };
}

async function main(): Promise<number> {
  const args = readCommandLine();
  const manifests = readManifests(path.join(projectRoot(), 'datasets'));
  if (args.list) {
    for (const m of manifests) console.log(`${m.name.padEnd(8)} ${m.title}\n         licence: ${m.licence}`);
    return 0;
  }
  const unknown = args.names.filter((n) => !manifests.some((m) => m.name === n));
  if (unknown.length > 0) {
    console.error(`unknown dataset(s): ${unknown.join(', ')}; known: ${manifests.map((m) => m.name).join(', ')}`);
    return 2;
  }
  const chosen = args.names.length > 0 ? manifests.filter((m) => args.names.includes(m.name)) : manifests;
  const dir = dataDir(args.dir);
  console.log(`data directory: ${dir}${args.from ? ` (importing from ${path.resolve(args.from)})` : ''}`);
  let failed = 0;
  for (const m of chosen) {
    const result = await ensureDataset(m, { dataDir: dir, from: args.from, checkOnly: args.check, keepArchive: args.keepArchive });
    if (result.ok) {
      console.log(`${m.name}: ok (${result.folder})${result.obtained.length ? `, obtained ${result.obtained.length} file(s)` : ''}`);
      if (m.name === 'mrpc') console.log(`mrpc: licence: ${m.licence}`);
    } else {
      failed++;
      for (const line of result.problems) console.error(line);
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`datasets: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
