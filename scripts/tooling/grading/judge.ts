/**
 * Verdicts, decided in the grader's own process (which never runs student code): each check cell's probe data is
 * read from the executed copy as plain data and judged by the rules and data of the same check on the instructor's
 * solution (see the library's check/rules.ts). What a hidden check tells the student is only the instructor's words.
 */
import { CHECK_MIME, CheckRules, judgeProbe, ProbeData, toProbeData, validateRules } from '@dl-course/lib/check';
import type { NotebookCell } from '../notebook-file';
import type { CheckSpec } from './check-cells';

/** What one check cell's output holds: the data of its probe, the error its probe threw, or nothing. */
export interface ProbeOutcome {
  found: boolean;
  data: ProbeData | null;
  error: string | null;
  /** The rules the cell sent: read from the instructor's run only. */
  rules: unknown;
}

export interface ReferenceCheck {
  rules: CheckRules;
  data: ProbeData;
}

/** The last check emission in a cell's outputs, taken apart as untrusted JSON. */
export function probeOutcome(cell: unknown): ProbeOutcome {
  const none: ProbeOutcome = { found: false, data: null, error: null, rules: null };
  const outputs = (cell as { outputs?: unknown } | null)?.outputs;
  if (!Array.isArray(outputs)) return none;
  const emissions = outputs
    .map((o) => (o && typeof o === 'object' ? (o as { data?: unknown }).data : null))
    .filter((d): d is Record<string, unknown> => !!d && typeof d === 'object' && CHECK_MIME in d)
    .map((d) => d[CHECK_MIME]);
  const last = emissions.at(-1) as { data?: unknown; error?: unknown; rules?: unknown } | undefined;
  if (!last || typeof last !== 'object') return none;
  if (typeof last.error === 'string') return { found: true, data: null, error: last.error.slice(0, 500), rules: last.rules };
  try {
    return { found: true, data: toProbeData(last.data), error: null, rules: last.rules };
  } catch (error) {
    return { found: true, data: null, error: `the check sent unreadable data (${(error as Error).message})`, rules: last.rules };
  }
}

/** The instructor's check, from the run of the solution: its rules, its data, and it must pass its own rules. */
export function referenceCheck(where: string, outcome: ProbeOutcome, cellError: string | null): ReferenceCheck {
  if (!outcome.found) {
    throw new Error(`${where}: the check cell sent no result on the course's solution${cellError ? ` (${cellError})` : ''}; a check cell calls course.check(probe, rules) once`);
  }
  if (!outcome.data) throw new Error(`${where}: the check failed on the course's solution: ${outcome.error}`);
  const rules = validateRules(outcome.rules);
  const judged = judgeProbe(rules, outcome.data, outcome.data);
  if (!judged.passed) {
    throw new Error(`${where}: the course's solution fails its own check: ${judged.failures.map((f) => f.detail).join('; ')}`);
  }
  return { rules, data: outcome.data };
}

export interface CheckVerdict {
  passed: boolean;
  /** What the report and the feedback page say (for a hidden check, only the instructor's words). */
  error: string | null;
}

/**
 * One check of one submission. `notRun` says why the cell did not run (from the grader's clock, or from the part of
 * the run that came before any hidden check); `cellError` is the driver's error for a visible check's cell.
 */
export function judgeCheck(
  check: CheckSpec,
  reference: ReferenceCheck,
  outcome: ProbeOutcome,
  context: { notRun: string | null; cellError: string | null; missingAnchor: string | null },
): CheckVerdict {
  const hint = context.missingAnchor
    ? ` (your notebook has no cell matching the course's cell '${context.missingAnchor}': it has no cell ids and that cell's fixed lines changed; ` +
      'keep the lines outside the solution region as they were, or save the notebook with a current Jupyter)'
    : '';
  if (outcome.data) {
    const judged = judgeProbe(reference.rules, outcome.data, reference.data);
    if (judged.passed) return { passed: true, error: null };
    if (check.hidden) {
      const words = [...new Set(judged.failures.map((f) => f.message).filter((m): m is string => !!m))];
      return { passed: false, error: `hidden check failed${words.length ? `: ${words.join('; ')}` : ''}${hint}` };
    }
    const text = judged.failures.map((f) => (f.message ? `${f.message} (${f.detail})` : f.detail)).join('; ');
    return { passed: false, error: text + hint };
  }
  if (check.hidden) {
    if (outcome.found) return { passed: false, error: `hidden check failed: your code threw an error when the check called it${hint}` };
    return { passed: false, error: `hidden check not run${context.notRun ? ` (${context.notRun})` : ''}${hint}` };
  }
  if (outcome.found) return { passed: false, error: `the check could not run: ${outcome.error}${hint}` };
  const why = context.cellError ?? context.notRun ?? 'the check cell sent no result';
  return { passed: false, error: why + hint };
}
