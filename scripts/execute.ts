/**
 * npm run execute -- [notebooks|folders] [options]
 *
 * Executes notebooks headlessly with their kernel (tslab) through Jupyter's nbclient and writes executed copies.
 * Default: the numbered course notebooks, notebooks/[0-9][0-9]-*.ipynb. See docs/tooling.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCourseProfile, projectRoot } from '@dl-course/lib/config';
import {
  DEFAULT_LIMITS,
  defaultJobs,
  executeNotebooks,
  summaryMarkdown,
  summaryTable,
} from './tooling/execute-notebooks';
import { courseNotebooks, expandNotebookArgs } from './tooling/notebook-list';
import { parseShard, selectShard } from './tooling/shard';
import { parseCommandLine, positiveNumber } from './tooling/cli';
import { findJupyterPython } from './tooling/jupyter-python';
import { RESULTS_PAGE, promoteResults, referenceResultsPage } from './tooling/reference-results';

const USAGE = `Usage: npm run execute -- [notebook.ipynb|folder ...] [options]
  (no arguments: notebooks/[0-9][0-9]-*.ipynb)
  -o, --output DIR        folder for executed copies (default out/executed)
      --in-place          overwrite the source notebooks with their executed versions
  -p, --profile NAME      smoke | full, sets COURSE_PROFILE for the kernels (default: $COURSE_PROFILE or full)
      --cell-timeout S    seconds per cell (default smoke ${DEFAULT_LIMITS.smoke.cell}, full ${DEFAULT_LIMITS.full.cell})
      --timeout S         seconds per notebook (default smoke ${DEFAULT_LIMITS.smoke.notebook}, full ${DEFAULT_LIMITS.full.notebook})
  -j, --jobs N            notebooks run in parallel (default ${defaultJobs()})
      --shard I/N         run only shard I of N (0-based; round-robin over the list in course order)
      --kernel NAME       kernel to use (default: the notebook's kernelspec, else tslab)
      --summary FILE      JSON summary (default <output>/summary.json)
      --record-reference  (instructors) full profile only: when every notebook ran, make their recorded results the
                          course's reference (results/reference/full/) and regenerate docs/results.md
      --list              print the notebooks that would run, and exit
Recorded results go to $COURSE_RESULTS_DIR, else results/<profile>/ (git-ignored); runs never change the reference.`;

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(
    {
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        'in-place': { type: 'boolean' },
        profile: { type: 'string', short: 'p' },
        'cell-timeout': { type: 'string' },
        timeout: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        shard: { type: 'string' },
        kernel: { type: 'string' },
        summary: { type: 'string' },
        list: { type: 'boolean' },
        'record-reference': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const root = projectRoot(__dirname);
  const profile = values.profile !== undefined
    ? parseCourseProfile(values.profile, '--profile')
    : parseCourseProfile(process.env.COURSE_PROFILE);
  let notebooks = positionals.length > 0 ? expandNotebookArgs(positionals) : courseNotebooks(root);
  if (values.shard) notebooks = selectShard(notebooks, parseShard(values.shard));
  if (values.list) {
    for (const nb of notebooks) console.log(path.relative(process.cwd(), nb));
    return 0;
  }
  if (notebooks.length === 0) {
    console.log('execute: no notebooks to run' + (values.shard ? ` in shard ${values.shard}` : ''));
    return 0;
  }
  const recordReference = values['record-reference'] ?? false;
  if (recordReference && profile !== 'full') throw new Error(`--record-reference records full-profile runs; this run's profile is ${profile}`);
  findJupyterPython(); // fail once, clearly, rather than once per notebook
  const inPlace = values['in-place'] ?? false;
  const outputDir = path.resolve(values.output ?? path.join(root, 'out', 'executed'));
  const limits = DEFAULT_LIMITS[profile];
  const options = {
    notebooks,
    outputDir,
    inPlace,
    profile,
    cellTimeoutSeconds: positiveNumber('--cell-timeout', values['cell-timeout'], limits.cell),
    notebookTimeoutSeconds: positiveNumber('--timeout', values.timeout, limits.notebook),
    jobs: positiveNumber('--jobs', values.jobs, defaultJobs()),
    kernel: values.kernel,
    // This run's results in a folder of their own, so that only they can become the reference.
    resultsDir: recordReference ? freshFolder(path.join(outputDir, 'recorded-results')) : undefined,
    log: (line: string) => console.log(line),
  };
  console.log(
    `execute: ${notebooks.length} notebook(s), profile ${profile}, ${options.jobs} at a time, ` +
      `limits ${options.cellTimeoutSeconds} s/cell and ${options.notebookTimeoutSeconds} s/notebook` +
      (inPlace ? ', in place' : `, into ${path.relative(process.cwd(), outputDir) || '.'}`),
  );
  const results = await executeNotebooks(options);
  console.log('\n' + summaryTable(results));
  const summaryFile = values.summary ?? (inPlace ? undefined : path.join(outputDir, 'summary.json'));
  if (summaryFile) {
    fs.mkdirSync(path.dirname(path.resolve(summaryFile)), { recursive: true });
    fs.writeFileSync(summaryFile, JSON.stringify({ profile, shard: values.shard ?? null, results }, null, 2) + '\n');
  }
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, summaryMarkdown(results, profile) + '\n');
  const failed = results.filter((r) => r.status !== 'ok').length;
  console.log(failed === 0 ? `\nexecute: all ${results.length} notebook(s) ran` : `\nexecute: ${failed} of ${results.length} failed`);
  if (recordReference && options.resultsDir) {
    if (failed > 0) console.log('execute: reference results left as they were (not every notebook ran)');
    else recordAsReference(path.join(options.resultsDir, profile), root);
  }
  return failed === 0 ? 0 : 1;
}

function freshFolder(folder: string): string {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

/** Promote the results this run recorded, and regenerate the page made from them. */
function recordAsReference(recordedDir: string, root: string): void {
  const recorded = fs.existsSync(recordedDir) ? fs.readdirSync(recordedDir).filter((f) => f.endsWith('.json')) : [];
  if (recorded.length === 0) {
    console.log('execute: the notebooks recorded no results; nothing to make the reference');
    return;
  }
  for (const file of promoteResults(recorded.map((f) => path.join(recordedDir, f)), 'full', root)) {
    console.log(`execute: reference ${path.relative(root, file)}`);
  }
  fs.writeFileSync(path.join(root, RESULTS_PAGE), referenceResultsPage(root));
  console.log(`execute: ${RESULTS_PAGE} regenerated; commit it with the files above`);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`execute: ${error.message}`);
    process.exit(2);
  },
);
