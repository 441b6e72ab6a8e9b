/**
 * npm run student -- [notebooks|folders] [-o out/student]
 *
 * Writes the student version of each instructor notebook: solution regions replaced by a stub that throws
 * "not implemented", hidden checks removed, outputs cleared. Default: the numbered course notebooks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '@dl-course/lib/config';
import { parseNotebooksAndOutput } from './tooling/cli';
import { listChecks } from './tooling/grading/check-cells';
import { makeStudentVersion } from './tooling/grading/student-version';
import { readNotebook, writeNotebook } from './tooling/notebook-file';
import { courseNotebooks, expandNotebookArgs } from './tooling/notebook-list';

const USAGE = `Usage: npm run student -- [notebook.ipynb|folder ...] [-o DIR]
  (no arguments: notebooks/[0-9][0-9]-*.ipynb)
  -o, --output DIR   folder for the student versions (default out/student); never the source folder`;

function main(): number {
  const args = parseNotebooksAndOutput(USAGE);
  if (!args) return 0;
  const { positionals, output } = args;
  const root = projectRoot(__dirname);
  const notebooks = positionals.length > 0 ? expandNotebookArgs(positionals) : courseNotebooks(root);
  const outDir = path.resolve(output ?? path.join(root, 'out', 'student'));
  if (notebooks.some((nb) => path.dirname(nb) === outDir)) {
    throw new Error(`${outDir} holds source notebooks; write student versions to another folder`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of notebooks) {
    const source = readNotebook(file);
    const checks = listChecks(source, file); // validates the check metadata before students see it
    const { notebook, solutionRegions, hiddenChecksRemoved } = makeStudentVersion(source, file);
    const target = path.join(outDir, path.basename(file));
    writeNotebook(target, notebook);
    const points = checks.reduce((s, c) => s + c.points, 0);
    console.log(
      `${path.basename(file)}: ${solutionRegions} solution region(s) stubbed, ${checks.length} check(s) ` +
        `worth ${points} point(s), ${hiddenChecksRemoved} hidden -> ${path.relative(process.cwd(), target)}`,
    );
  }
  if (notebooks.length === 0) console.log('student: no notebooks');
  return 0;
}

try {
  process.exit(main());
} catch (error) {
  console.error(`student: ${(error as Error).message}`);
  process.exit(2);
}
