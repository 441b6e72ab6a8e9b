/** Grading pieces without kernels: student versions, check metadata, assembling the graded notebook, CSV. */
import * as assert from 'node:assert/strict';
import { assembleGradedNotebook } from '../../scripts/tooling/grading/assemble';
import { listChecks } from '../../scripts/tooling/grading/check-cells';
import { csvField, gradesCsv } from '../../scripts/tooling/grading/grade-report';
import { makeStudentVersion, NOT_IMPLEMENTED_STUB, replaceRegions } from '../../scripts/tooling/grading/student-version';
import { cellSource, Notebook, NotebookCell } from '../../scripts/tooling/notebook-file';
import { codeCell, markdownCell, tslabNotebook } from './helpers';

const check = (id: string, source: string, points: number, hidden = false): NotebookCell => ({
  ...codeCell(source, id),
  metadata: { tags: ['check'], course: { check: true, points, ...(hidden ? { hidden: true } : {}) } },
});

function instructorNotebook(): Notebook {
  return tslabNotebook([
    { ...markdownCell('# Task\n<!-- BEGIN SOLUTION -->\nThe answer is 42.\n<!-- END SOLUTION -->'), id: 'md' },
    { ...codeCell('function f(x: number): number {\n  // BEGIN SOLUTION\n  return 2 * x;\n  // END SOLUTION\n}', 'solution'), outputs: [{ output_type: 'stream', name: 'stdout', text: 'secret' }], execution_count: 3 },
    check('visible', "if (f(2) !== 4) throw new Error('f(2)');\n// BEGIN HIDDEN\nif (f(5) !== 10) throw new Error('f(5)');\n// END HIDDEN", 2),
    codeCell('console.log(f(1));', 'after'),
    check('hidden', "if (f(-1) !== -2) throw new Error('f(-1)');", 3, true),
  ]);
}

const ids = (nb: Notebook) => nb.cells.map((c) => c.id);

describe('grading: student versions', () => {
  it('stubs solutions with the indentation kept, drops hidden checks and regions, clears outputs', () => {
    const { notebook, solutionRegions, hiddenChecksRemoved } = makeStudentVersion(instructorNotebook(), 'nb');
    assert.equal(solutionRegions, 2);
    assert.equal(hiddenChecksRemoved, 1);
    assert.deepEqual(ids(notebook), ['md', 'solution', 'visible', 'after']);
    assert.equal(cellSource(notebook.cells[1]!), `function f(x: number): number {\n  ${NOT_IMPLEMENTED_STUB}\n}`);
    assert.equal(cellSource(notebook.cells[0]!), '# Task\n_Your answer here._');
    assert.equal(cellSource(notebook.cells[2]!), "if (f(2) !== 4) throw new Error('f(2)');");
    assert.deepEqual(notebook.cells[1]!.outputs, []);
    assert.equal(notebook.cells[1]!.execution_count, null);
    assert.ok(!JSON.stringify(notebook).includes('2 * x'), 'no solution left anywhere');
  });

  it('rejects unbalanced markers instead of leaking a solution', () => {
    const markers = { begin: /^\s*\/\/ BEGIN SOLUTION$/, end: /^\s*\/\/ END SOLUTION$/ };
    assert.throws(() => replaceRegions('// BEGIN SOLUTION\nx', markers, () => '', 'c'), /BEGIN without END/);
    assert.throws(() => replaceRegions('x\n// END SOLUTION', markers, () => '', 'c'), /END without BEGIN/);
  });

  it('validates check metadata', () => {
    const nb = instructorNotebook();
    assert.deepEqual(
      listChecks(nb, 'nb').map((c) => [c.name, c.points, c.hidden]),
      [['visible', 2, false], ['hidden', 3, true]],
    );
    nb.cells[2]!.metadata = { tags: ['check'] };
    assert.throws(() => listChecks(nb, 'nb'), /needs metadata.course.points/);
    delete nb.cells[2]!.id;
    assert.throws(() => listChecks(nb, 'nb'), /without a cell id/);
  });
});

describe('grading: assembling the graded notebook', () => {
  const instructor = instructorNotebook();
  const checks = listChecks(instructor, 'nb');
  const student = () => makeStudentVersion(instructor, 'nb').notebook;
  const visibleSource = cellSource(instructor.cells[2]!);

  it('puts the instructor checks back, hidden ones included, in their places', () => {
    const { notebook, checkPositions } = assembleGradedNotebook(instructor, checks, student());
    assert.deepEqual(ids(notebook), ['md', 'solution', 'visible', 'after', 'hidden']);
    assert.equal(cellSource(notebook.cells[2]!), visibleSource, 'with its hidden region');
    assert.deepEqual([...checkPositions], [['visible', 2], ['hidden', 4]]);
  });

  it('undoes edited, deleted, moved and renamed checks; keeps cells the student added', () => {
    const edited = student();
    edited.cells[2] = { ...edited.cells[2]!, metadata: {}, source: ['true'] };
    assert.equal(cellSource(assembleGradedNotebook(instructor, checks, edited).notebook.cells[2]!), visibleSource);

    const deleted = student();
    deleted.cells.splice(2, 1);
    assert.deepEqual(ids(assembleGradedNotebook(instructor, checks, deleted).notebook), ['md', 'solution', 'visible', 'after', 'hidden']);

    const moved = student();
    const [visible] = moved.cells.splice(2, 1);
    moved.cells.unshift(visible!);
    assert.deepEqual(ids(assembleGradedNotebook(instructor, checks, moved).notebook), ['md', 'solution', 'visible', 'after', 'hidden']);

    const renamed = student();
    renamed.cells[2] = { ...renamed.cells[2]!, id: 'my-own-check', source: ['true'] };
    renamed.cells.push({ ...codeCell('console.log("extra")'), id: 'extra' });
    assert.deepEqual(ids(assembleGradedNotebook(instructor, checks, renamed).notebook), ['md', 'solution', 'visible', 'after', 'hidden', 'extra']);
  });

  it('anchors checks to the nearest earlier cell the submission still has', () => {
    const gutted = student();
    gutted.cells = gutted.cells.filter((c) => c.id === 'md');
    assert.deepEqual(ids(assembleGradedNotebook(instructor, checks, gutted).notebook), ['md', 'visible', 'hidden']);
  });

  it('runs the instructor kernel and drops the outputs a submission brings', () => {
    const sub = student();
    sub.metadata = { kernelspec: { name: 'python3' } };
    sub.cells[3] = { ...sub.cells[3]!, outputs: [{ output_type: 'stream', name: 'stdout', text: 'fake' }] };
    const { notebook } = assembleGradedNotebook(instructor, checks, sub);
    assert.deepEqual(notebook.metadata.kernelspec, instructor.metadata.kernelspec);
    assert.deepEqual(notebook.cells[3]!.outputs, []);
  });
});

describe('grading: CSV', () => {
  it('quotes fields with commas, quotes and newlines', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "x"'), '"say ""x"""');
    assert.equal(csvField(null), '');
    const csv = gradesCsv([{ student: 's', notebook: 'n', check: 'c', points: 0, maxPoints: 2, passed: false, error: 'Error: a\nb' }]);
    assert.equal(csv, 'student,notebook,check,points,max_points,passed,error\ns,n,c,0,2,false,"Error: a\nb"\n');
  });
});
