/**
 * npm run grade -- <submissions folder> [options]
 *
 * Grades `<submissions>/<student>/<notebook>.ipynb` against the instructor notebooks (default notebooks/), with the
 * instructor's check cells restored by cell id, each notebook in its own kernel and time limit. Writes grades.csv,
 * grades.json and feedback/<student>.html into the output folder. See docs/tooling.md.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCourseProfile, projectRoot } from '@dl-course/lib/config';
import { positiveNumber } from './tooling/cli';
import { defaultJobs } from './tooling/execute-notebooks';
import { totalsByStudent, writeGradeReports } from './tooling/grading/grade-report';
import { gradeSubmissions } from './tooling/grading/grade-submissions';
import { formatTable } from './tooling/text-table';

export const GRADE_DEFAULTS = { cellTimeout: 60, timeout: 300, maxOutputBytes: 1 << 20 };

const USAGE = `Usage: npm run grade -- <submissions folder> [options]
  layout: <submissions>/<student>/<notebook>.ipynb, graded against <source>/<notebook>.ipynb
  -s, --source DIR        instructor notebooks (default notebooks/)
  -o, --output DIR        where grades.csv, grades.json, feedback/, executed/ and work/ go (default out/grading)
  -p, --profile NAME      COURSE_PROFILE for the submissions (default smoke)
      --notebooks A,B     grade only these notebooks (names without .ipynb)
      --cell-timeout S    seconds per cell (default ${GRADE_DEFAULTS.cellTimeout})
      --timeout S         seconds per submitted notebook (default ${GRADE_DEFAULTS.timeout})
      --max-output BYTES  output kept per cell (default ${GRADE_DEFAULTS.maxOutputBytes})
  -j, --jobs N            submissions graded in parallel (default ${defaultJobs()})`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const root = projectRoot(__dirname);
  const outDir = path.resolve(values.output ?? path.join(root, 'out', 'grading'));
  const grades = await gradeSubmissions({
    submissionsDir: path.resolve(positionals[0] as string),
    sourceDir: path.resolve(values.source ?? path.join(root, 'notebooks')),
    outDir,
    profile: parseCourseProfile(values.profile ?? 'smoke', '--profile'),
    cellTimeoutSeconds: positiveNumber('--cell-timeout', values['cell-timeout'], GRADE_DEFAULTS.cellTimeout),
    notebookTimeoutSeconds: positiveNumber('--timeout', values.timeout, GRADE_DEFAULTS.timeout),
    maxOutputBytes: positiveNumber('--max-output', values['max-output'], GRADE_DEFAULTS.maxOutputBytes),
    jobs: positiveNumber('--jobs', values.jobs, defaultJobs()),
    notebooks: values.notebooks?.split(',').map((s) => s.trim().replace(/\.ipynb$/, '')).filter(Boolean),
    projectRoot: root,
    log: (line) => console.log(line),
  });
  const written = writeGradeReports(outDir, grades);
  const rows = grades.flatMap((g) => g.rows);
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
    process.exit(2);
  },
);
