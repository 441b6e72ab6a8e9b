/**
 * `course.check(probe, rules)`: the one call a check cell makes. The probe calls the learner's code on the check's
 * own inputs and returns plain data; the rules say what that data must be (see rules.ts).
 *
 * In a learner's notebook the call judges the data at once: it shows "✔ check passed" or throws an error that says
 * what is wrong (rules that compare with the course's solution are left for grading). Either way it also puts the
 * rules and the data into the cell's output under CHECK_MIME: the grader reads them from there and judges them in
 * its own process, against the same probe run on the solution, so nothing in the submission decides a verdict.
 */
import { notebookDisplaySink } from '../plot/notebook';
import { CHECK_MIME, CheckEmission, CheckRules, judgeProbe, ProbeData, toProbeData, validateRules } from './rules';

export async function check(probe: () => unknown, rules: CheckRules): Promise<void> {
  validateRules(rules);
  let data: ProbeData;
  try {
    data = toProbeData(await probe());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    show({ version: 1, rules, error: message.slice(0, 2000) }, `✘ check failed: the check could not run (${message})`);
    throw new Error(`check failed: the check could not run (${message})`);
  }
  const judgement = judgeProbe(rules, data);
  const failed = judgement.failures.map((f) => (f.message ? `${f.message} (${f.detail})` : f.detail));
  const pendingNote = judgement.pending.length
    ? `; ${judgement.pending.map((f) => `'${f}'`).join(', ')} ${judgement.pending.length === 1 ? 'is' : 'are'} compared with the course's solution when graded`
    : '';
  const verdict = failed.length ? `✘ check failed: ${failed.join('; ')}` : `✔ check passed${pendingNote}`;
  show({ version: 1, rules, data }, verdict);
  if (failed.length) throw new Error(`check failed: ${failed.join('; ')}`);
}

/**
 * A tensor as probe data: its dtype, shape and values (read with dataSync). Typed by shape, not as tf.Tensor, so a
 * check cell that imports only '@dl-course/lib/check' compiles without TF.js's declarations.
 */
export function tensorProbe(t: { dtype: string; shape: readonly number[]; dataSync(): ArrayLike<number> | ArrayLike<string> }): {
  dtype: string;
  shape: number[];
  values: number[];
} {
  return { dtype: t.dtype, shape: [...t.shape], values: Array.from(t.dataSync() as ArrayLike<number>) };
}

function show(emission: CheckEmission, verdict: string): void {
  const sink = notebookDisplaySink();
  if (!sink) {
    console.log(verdict);
    return;
  }
  sink.show({ 'text/plain': verdict, [CHECK_MIME]: emission });
}
