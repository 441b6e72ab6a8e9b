/** Grading pieces without kernels: student versions, check metadata, assembling the graded notebook, CSV. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECK_MIME, CheckRules, judgeProbe, toProbeData, validateRules } from '@dl-course/lib/check';
import { assembleGradedNotebook } from '../../scripts/tooling/grading/assemble';
import { judgeCheck, probeOutcome, referenceCheck } from '../../scripts/tooling/grading/judge';
import { listChecks } from '../../scripts/tooling/grading/check-cells';
import { csvField, gradesCsv, mergeGradeRuns, readGradeRun, writeGradeReports } from '../../scripts/tooling/grading/grade-report';
import { gradeSubmissions } from '../../scripts/tooling/grading/grade-submissions';
import { bwrapProblem, SandboxJob, SandboxRun } from '../../scripts/tooling/grading/sandbox';
import type { Shard } from '../../scripts/tooling/shard';
import { makeStudentVersion, NOT_IMPLEMENTED_STUB, replaceRegions } from '../../scripts/tooling/grading/student-version';
import { cellSource, Notebook, NotebookCell } from '../../scripts/tooling/notebook-file';
import { codeCell, markdownCell, ROOT, scratchDir, tslabNotebook } from './helpers';

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
  /** The graded cells' ids, then the hidden checks that go in afterwards. */
  const graded = (nb: Notebook) => {
    const { notebook, hidden } = assembleGradedNotebook(instructor, checks, nb);
    return [...ids(notebook), '|', ...hidden.map((c) => c.id)];
  };

  it('puts the visible checks back in their places and keeps hidden ones apart, to run after everything else', () => {
    const { notebook, hidden, checkPositions } = assembleGradedNotebook(instructor, checks, student());
    assert.deepEqual(ids(notebook), ['md', 'solution', 'visible', 'after']);
    assert.deepEqual(hidden.map((c) => c.id), ['hidden']);
    assert.equal(cellSource(notebook.cells[2]!), visibleSource, 'with its hidden region');
    assert.deepEqual([...checkPositions], [['visible', { phase: 1, index: 2 }], ['hidden', { phase: 2, index: 0 }]]);
  });

  it('undoes edited, deleted, moved and renamed checks; keeps cells the student added', () => {
    const edited = student();
    edited.cells[2] = { ...edited.cells[2]!, metadata: {}, source: ['true'] };
    assert.equal(cellSource(assembleGradedNotebook(instructor, checks, edited).notebook.cells[2]!), visibleSource);

    const deleted = student();
    deleted.cells.splice(2, 1);
    assert.deepEqual(graded(deleted), ['md', 'solution', 'visible', 'after', '|', 'hidden']);

    const moved = student();
    const [visible] = moved.cells.splice(2, 1);
    moved.cells.unshift(visible!);
    assert.deepEqual(graded(moved), ['md', 'solution', 'visible', 'after', '|', 'hidden']);

    const renamed = student();
    renamed.cells[2] = { ...renamed.cells[2]!, id: 'my-own-check', source: ['true'] };
    renamed.cells.push({ ...codeCell('console.log("extra")'), id: 'extra' });
    assert.deepEqual(graded(renamed), ['md', 'solution', 'visible', 'after', 'extra', '|', 'hidden']);
  });

  it('anchors checks to the nearest earlier cell the submission still has, and says which cell is missing', () => {
    const gutted = student();
    gutted.cells = gutted.cells.filter((c) => c.id === 'md');
    const { notebook, missingAnchors } = assembleGradedNotebook(instructor, checks, gutted);
    assert.deepEqual(ids(notebook), ['md', 'visible']);
    assert.deepEqual([...missingAnchors], [['visible', 'solution'], ['hidden', 'after']]);
  });

  it('matches a notebook saved without cell ids (nbformat 4.4) by content and order', () => {
    const old = student();
    old.nbformat_minor = 4;
    old.cells = old.cells.map(({ id: _id, ...cell }) => cell as NotebookCell);
    // the student's answer replaces the stub; the lines around it stay
    old.cells[1] = { ...old.cells[1]!, source: ['function f(x: number): number {\n', '  return x + x;\n', '}'] };
    const { notebook, matchedByContent, missingAnchors } = assembleGradedNotebook(instructor, checks, old);
    assert.deepEqual(ids(notebook), ['md', 'solution', 'visible', 'after']);
    assert.equal(matchedByContent, 3);
    assert.equal(missingAnchors.size, 0);
    assert.equal(notebook.nbformat_minor, 5);

    const moved = { ...old, cells: [old.cells[3]!, ...old.cells.slice(0, 3)] };
    assert.deepEqual(ids(assembleGradedNotebook(instructor, checks, moved).notebook), ['after', 'md', 'solution', 'visible']);
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

describe('grading: check rules (judged the same in a notebook and in the grader)', () => {
  it('judges literals with tolerance, bounds, the solution\'s values and agreement with labels', () => {
    const rules: CheckRules = {
      values: { equals: [0, 1, 0.5], tolerance: 1e-6 },
      accuracy: { atLeast: 0.9, atMost: 1 },
      weights: { solution: true, tolerance: 1e-5, message: 'the weights differ' },
      classes: { agreement: 'labels', atLeast: 0.75 },
    };
    const data = { values: [0, 1, 0.5000001], accuracy: 0.95, weights: [1, 2], classes: [0, 1, 2, 2], labels: [0, 1, 2, 0] };
    const local = judgeProbe(rules, data);
    assert.deepEqual(local.pending, ['weights']);
    assert.equal(local.passed, false, 'a pending rule is not a pass');
    assert.deepEqual(local.failures, []);
    assert.equal(judgeProbe(rules, data, { ...data, weights: [1, 2.000001] }).passed, true);
    const wrong = judgeProbe(rules, { ...data, values: [0, 0, 0.5], accuracy: 0.5, classes: [1, 1, 1, 1] }, { ...data, weights: [9, 9], labels: [0, 1, 2, 2] });
    assert.deepEqual(wrong.failures.map((f) => f.field), ['values', 'accuracy', 'weights', 'classes']);
    assert.match(wrong.failures[0]!.detail, /expected \[0,1,0\.5\], got \[0,0,0\.5\] \(first difference at \[1\]: 0 instead of 1\)/);
    assert.equal(wrong.failures[2]!.message, 'the weights differ');
    assert.match(wrong.failures[3]!.detail, /25% of positions, needs 75%/);
    assert.match(judgeProbe({ loss: { equals: 1 } }, {}).failures[0]!.detail, /measured no 'loss'/);
  });

  it('turns probe results into plain data and refuses what is not', () => {
    assert.deepEqual(toProbeData({ a: new Float32Array([1, 2]), b: NaN, c: [Infinity], d: { e: 'x' } }), { a: [1, 2], b: 'NaN', c: ['Infinity'], d: { e: 'x' } });
    assert.equal(judgeProbe({ b: { equals: NaN as unknown as number } }, toProbeData({ b: NaN })).passed, true);
    assert.throws(() => toProbeData(5), /object of named fields/);
    assert.throws(() => toProbeData({ t: new Map() }), /'result\.t' is not plain data/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.throws(() => toProbeData(loop), /refers to itself/);
    assert.throws(() => validateRules({ x: { equals: 1, solution: true } }), /both equals and solution/);
    assert.throws(() => validateRules({ x: {} }), /needs equals/);
  });
});

describe('grading: verdicts from probe data', () => {
  const visible = { id: 'v', name: 'v', points: 2, hidden: false, index: 0 };
  const hidden = { ...visible, name: 'h', hidden: true };
  const reference = { rules: { y: { solution: true, message: 'y is wrong for other inputs' } } as CheckRules, data: { y: [1, 2] } };
  const emitted = (emission: unknown) => ({ outputs: [{ output_type: 'display_data', data: { 'text/plain': 'x', [CHECK_MIME]: emission } }] });
  const none = { notRun: null, cellError: null, missingAnchor: null };

  it('passes on the solution\'s data, whatever rules the submission sent', () => {
    const forged = emitted({ version: 1, rules: { y: { atLeast: -1e9 } }, data: { y: [1, 2] } });
    assert.deepEqual(judgeCheck(visible, reference, probeOutcome(forged), none), { passed: true, error: null });
    assert.equal(judgeCheck(visible, reference, probeOutcome(emitted({ version: 1, rules: { y: { atLeast: -1e9 } }, data: { y: 3 } })), none).passed, false);
  });

  it('reads the last emission of the cell and nothing that is not one', () => {
    const two = { outputs: [...emitted({ data: { y: [1, 2] } }).outputs, ...emitted({ data: { y: [0, 0] } }).outputs] };
    assert.equal(judgeCheck(visible, reference, probeOutcome(two), none).passed, false);
    assert.equal(probeOutcome({ outputs: 'junk' }).found, false);
    assert.equal(probeOutcome(null).found, false);
    assert.match(judgeCheck(visible, reference, probeOutcome({ outputs: [] }), { ...none, cellError: 'TypeError: x' }).error ?? '', /TypeError: x/);
  });

  it('tells a hidden check\'s failure in the instructor\'s words only', () => {
    const leak = emitted({ version: 1, rules: {}, data: { y: ['the hidden source'] } });
    assert.equal(judgeCheck(hidden, reference, probeOutcome(leak), none).error, 'hidden check failed: y is wrong for other inputs');
    const threw = emitted({ version: 1, rules: {}, error: 'Error: the hidden source' });
    assert.doesNotMatch(judgeCheck(hidden, reference, probeOutcome(threw), none).error ?? '', /source/);
  });

  it('refuses an instructor notebook whose solution fails its own check', () => {
    const failing = probeOutcome(emitted({ version: 1, rules: { y: { equals: 3 } }, data: { y: 2 } }));
    assert.throws(() => referenceCheck('nb: check c', failing, null), /solution fails its own check: y: expected 3, got 2/);
    assert.throws(() => referenceCheck('nb: check c', probeOutcome({ outputs: [] }), 'SyntaxError'), /sent no result.*SyntaxError/);
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

describe('grading: the sandbox tool', () => {
  it('says in one line how to get bubblewrap, or how to go on without it', () => {
    const problem = bwrapProblem('bwrap-that-is-not-installed');
    assert.match(problem ?? '', /^grading needs a sandbox: install bubblewrap \(Debian\/Ubuntu: sudo apt-get install bubblewrap;/);
    assert.match(problem ?? '', /--unsafe-no-sandbox/);
    assert.doesNotMatch(problem ?? '', /\n/);
  });
});

describe('grading: --shard I/N and --merge', () => {
  const SOURCE = path.join(ROOT, 'test', 'fixtures', 'grading', 'source');
  /** Stands in for the sandbox: each check cell answers from the cell its exercise is in (stub or not). */
  const fakeRunner = async (job: SandboxJob): Promise<SandboxRun> => {
    const all = [...job.notebook.cells, ...job.phase2];
    const solved = (id: string) => !cellSource(all.find((c) => c.id === id) ?? codeCell('')).includes('not implemented');
    const answer = (cell: NotebookCell): NotebookCell => {
      const emission = (rules: CheckRules, data: Record<string, unknown> | null) =>
        ({ ...cell, outputs: [{ output_type: 'display_data', data: { [CHECK_MIME]: data ? { version: 1, rules, data } : { version: 1, rules, error: 'not implemented' } } }] }) as NotebookCell;
      if (cell.id === 'relu-check') return emission({ values: { equals: [0, 3] } }, solved('relu-solution') ? { values: [0, 3] } : null);
      if (cell.id === 'mean-check') return emission({ mean: { equals: 2 } }, solved('mean-solution') ? { mean: 2 } : null);
      if (cell.id === 'hidden-check') return emission({ both: { solution: true } }, solved('relu-solution') && solved('mean-solution') ? { both: 5 } : null);
      return cell;
    };
    const phase = (cells: NotebookCell[]) => ({ cells: cells.map(answer), report: [], status: 'ok' as const, error: null, kernelLog: '' });
    return { phase1: phase(job.notebook.cells), phase2: phase(job.phase2), seconds: 0, problem: null, timedOut: false, leftover: 0, kernelLog: '' };
  };

  it('grades the same as one run when N shards are merged', async () => {
    const scratch = scratchDir('grading-shards');
    const submissions = path.join(scratch, 'submissions');
    const fixtures = path.join(ROOT, 'test', 'fixtures', 'grading', 'submissions');
    for (const student of ['correct', 'wrong', 'deleted-check', 'broken-json', 'no-submission', 'reordered', 'nbformat-4.4']) {
      fs.cpSync(path.join(fixtures, student), path.join(submissions, student), { recursive: true });
    }
    const grade = (outDir: string, shard?: Shard) =>
      gradeSubmissions({
        submissionsDir: submissions, sourceDir: SOURCE, outDir, profile: 'smoke', cellTimeoutSeconds: 5, notebookTimeoutSeconds: 10,
        maxOutputBytes: 1024, jobs: 2, projectRoot: ROOT, runner: fakeRunner, shard,
      });
    writeGradeReports(path.join(scratch, 'one'), await grade(path.join(scratch, 'one')));
    const shardDirs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const dir = path.join(scratch, `shard-${i}`);
      const run = await grade(dir, { index: i, count: 3 });
      assert.ok(run.grades.length >= 2 && run.grades.length <= 3, `shard ${i} has ${run.grades.length} students`);
      writeGradeReports(dir, run);
      shardDirs.push(dir);
    }
    writeGradeReports(path.join(scratch, 'merged'), mergeGradeRuns(shardDirs.map(readGradeRun)));
    const read = (dir: string, file: string) => fs.readFileSync(path.join(scratch, dir, file), 'utf8');
    assert.equal(read('merged', 'grades.csv'), read('one', 'grades.csv'));
    const json = (dir: string) => read(dir, 'grades.json').replace(/"executed": "[^"]*"/g, '"executed": "…"');
    assert.equal(json('merged'), json('one'));
    for (const page of fs.readdirSync(path.join(scratch, 'one', 'feedback'))) {
      assert.equal(read('merged', `feedback/${page}`), read('one', `feedback/${page}`), page);
    }
    assert.match(read('one', 'grades.csv'), /correct,exercise,hidden-check,2,2,true,/);
    assert.throws(() => mergeGradeRuns([readGradeRun(shardDirs[0]!), readGradeRun(shardDirs[0]!)]), /is in shard 1 and shard 2/);
  });

  it('stops, starting no more sandboxes, when the instructor\'s notebook gives no result', async () => {
    const scratch = scratchDir('grading-stop');
    for (const student of ['correct', 'wrong', 'reordered']) {
      fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'grading', 'submissions', student), path.join(scratch, 'submissions', student), { recursive: true });
    }
    let runs = 0;
    const broken = async (): Promise<SandboxRun> => {
      runs++;
      return { phase1: null, phase2: null, seconds: 0, problem: 'the kernel did not start', timedOut: false, leftover: 0, kernelLog: '' };
    };
    await assert.rejects(
      gradeSubmissions({
        submissionsDir: path.join(scratch, 'submissions'), sourceDir: SOURCE, outDir: path.join(scratch, 'out'), profile: 'smoke',
        cellTimeoutSeconds: 5, notebookTimeoutSeconds: 10, maxOutputBytes: 1024, jobs: 1, projectRoot: ROOT, runner: broken,
      }),
      /exercise \(the course's solution\): the kernel did not start/,
    );
    assert.equal(runs, 1);
  });
});
