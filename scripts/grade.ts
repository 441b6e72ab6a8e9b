/**
 * npm run grade -- <submissions folder> [options]
 * npm run grade -- --merge <shard output>... -o <output>
 *
 * Grades `<submissions>/<student>/<notebook>.ipynb` against the instructor notebooks (default notebooks/), with the
 * instructor's check cells restored, each (student, notebook) in its own sandbox and time limit, verdicts decided
 * outside every sandbox. Writes grades.csv, grades.json and feedback/<student>.html into the output folder.
 * See docs/tooling.md.
 */
import * as path from 'node:path';
import { parseCourseProfile, projectRoot } from '@dl-course/lib/config';
import { existingFolder, parseCommandLine, positiveNumber } from './tooling/cli';
import { defaultJobs } from './tooling/execute-notebooks';
import { mergeGradeRuns, readGradeRun, totalsByStudent, writeGradeReports } from './tooling/grading/grade-report';
import { DEFAULT_MAX_SUBMISSION_BYTES, GradeRun, gradeSubmissions } from './tooling/grading/grade-submissions';
import { DEFAULT_SANDBOX_LIMITS, SandboxUnavailable } from './tooling/grading/sandbox';
import { parseShard } from './tooling/shard';
import { formatTable } from './tooling/text-table';

export const GRADE_DEFAULTS = { cellTimeout: 60, timeout: 300, maxOutputBytes: 1 << 20 };

const MIB = 2 ** 20;
const USAGE = `Usage: npm run grade -- <submissions folder> [options]
       npm run grade -- --merge <shard output folder>... -o <output>
  layout: <submissions>/<student>/<notebook>.ipynb, graded against <source>/<notebook>.ipynb
  -s, --source DIR        instructor notebooks (default notebooks/)
  -o, --output DIR        where grades.csv, grades.json, feedback/, executed/ and work/ go (default out/grading)
  -p, --profile NAME      COURSE_PROFILE for the submissions (default smoke)
      --notebooks A,B     grade only these notebooks (names without .ipynb)
      --cell-timeout S    seconds per cell (default ${GRADE_DEFAULTS.cellTimeout})
      --timeout S         seconds per submitted notebook (default ${GRADE_DEFAULTS.timeout})
      --max-output BYTES  output kept per cell (default ${GRADE_DEFAULTS.maxOutputBytes})
  -j, --jobs N            submissions graded in parallel (default ${defaultJobs()})
      --shard I/N         grade slice I of N of the students (0-based; merge the outputs with --merge)
      --merge             the positionals are shard output folders: combine them into -o
      --memory MIB        memory per sandbox (default ${DEFAULT_SANDBOX_LIMITS.memoryBytes / MIB})
      --processes N       processes and threads per sandbox (default ${DEFAULT_SANDBOX_LIMITS.processes})
      --scratch MIB       the sandbox's scratch folder and /tmp, each (default ${DEFAULT_SANDBOX_LIMITS.scratchBytes / MIB})
      --max-submission MIB  largest notebook read (default ${DEFAULT_MAX_SUBMISSION_BYTES / MIB})
      --unsafe-no-sandbox run notebooks without bubblewrap: only for notebooks you trust`;

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine({
    allowPositionals: true,
    options: {
      source: { type: 'string', short: 's' },
      output: { type: 'string', short: 'o' },
      profile: { type: 'string', short: 'p' },
      notebooks: { type: 'string' },
      'cell-timeout': { type: 'string' },
      timeout: { type: 'string' },
      'max-output': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      shard: { type: 'string' },
      merge: { type: 'boolean' },
      memory: { type: 'string' },
      processes: { type: 'string' },
      scratch: { type: 'string' },
      'max-submission': { type: 'string' },
      'unsafe-no-sandbox': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }, USAGE);
  if (values.help || (values.merge ? positionals.length === 0 || !values.output : positionals.length !== 1)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const root = projectRoot(__dirname);
  const outDir = path.resolve(values.output ?? path.join(root, 'out', 'grading'));
  if (values.merge) {
    const merged = mergeGradeRuns(positionals.map((dir) => readGradeRun(path.resolve(dir))));
    return summarize(outDir, merged);
  }
  const limit = (flag: string, value: string | undefined, fallback: number, unit: number) => Math.round(positiveNumber(flag, value, fallback / unit) * unit);
  const run = await gradeSubmissions({
    submissionsDir: path.resolve(positionals[0] as string),
    sourceDir: path.resolve(values.source === undefined ? path.join(root, 'notebooks') : existingFolder('--source', values.source)),
    outDir,
    profile: parseCourseProfile(values.profile ?? 'smoke', '--profile'),
    cellTimeoutSeconds: positiveNumber('--cell-timeout', values['cell-timeout'], GRADE_DEFAULTS.cellTimeout),
    notebookTimeoutSeconds: positiveNumber('--timeout', values.timeout, GRADE_DEFAULTS.timeout),
    maxOutputBytes: positiveNumber('--max-output', values['max-output'], GRADE_DEFAULTS.maxOutputBytes),
    jobs: positiveNumber('--jobs', values.jobs, defaultJobs()),
    notebooks: values.notebooks?.split(',').map((s) => s.trim().replace(/\.ipynb$/, '')).filter(Boolean),
    projectRoot: root,
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    unsafe: values['unsafe-no-sandbox'] === true,
    limits: {
      memoryBytes: limit('--memory', values.memory, DEFAULT_SANDBOX_LIMITS.memoryBytes, MIB),
      processes: limit('--processes', values.processes, DEFAULT_SANDBOX_LIMITS.processes, 1),
      scratchBytes: limit('--scratch', values.scratch, DEFAULT_SANDBOX_LIMITS.scratchBytes, MIB),
    },
    maxSubmissionBytes: limit('--max-submission', values['max-submission'], DEFAULT_MAX_SUBMISSION_BYTES, MIB),
    log: (line) => console.log(line),
  });
  return summarize(outDir, run);
}

function summarize(outDir: string, run: GradeRun): number {
  const written = writeGradeReports(outDir, run);
  const rows = run.grades.flatMap((g) => g.rows);
  const totals = totalsByStudent(rows);
  const checks = [...new Set(rows.map((r) => `${r.notebook} / ${r.check}`))];
  console.log(
    '\n' +
      formatTable(
        ['check', 'passed by'],
        checks.map((key) => {
          const of = rows.filter((r) => `${r.notebook} / ${r.check}` === key);
          return [key, `${of.filter((r) => r.passed).length} of ${of.length}`];
        }),
      ),
  );
  console.log('\n' + formatTable(['student', 'points'], totals.map((t) => [t.student, `${t.points} / ${t.maxPoints}`])));
  console.log(`\ngrade: wrote ${path.relative(process.cwd(), written.csv)}, ${path.relative(process.cwd(), written.json)} and ${written.feedback.length} feedback page(s)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`grade: ${error.message}`);
    process.exit(error instanceof SandboxUnavailable ? 3 : 2);
  },
);
