/**
 * The check rules: how a check's probe data is judged. Pure functions on plain JSON data, shared by the learner's
 * notebook (`course.check`, judging against the cell's own literals) and the grader (judging a submission's probe
 * data against the data of the same probe run on the course's solution, in a process that never ran student code).
 *
 * A probe returns an object of named fields; each field that has a rule must satisfy it:
 *
 *   { equals: <value>, tolerance?: n }   the field equals this literal (numbers, also inside arrays, within tolerance)
 *   { atLeast?: n, atMost?: n }          the field is a number within these bounds
 *   { solution: true, tolerance?: n }    the field equals the solution's value of the same field (only when graded)
 *   { agreement: 'name', atLeast: f }    the fraction of positions where this field (an array) equals the array field
 *                                        `name` is at least f: the solution's `name` when graded, this run's locally
 *
 * Every rule may carry a `message`: the instructor's words when it fails (the only text a hidden check shows).
 */

export type ProbeValue = null | boolean | number | string | ProbeValue[] | { [key: string]: ProbeValue };
export type ProbeData = { [field: string]: ProbeValue };

interface RuleBase {
  /** Shown when the rule fails (for hidden checks, the only feedback besides the check's name). */
  message?: string;
}
export interface EqualsRule extends RuleBase {
  equals: ProbeValue;
  tolerance?: number;
}
export interface BoundsRule extends RuleBase {
  atLeast?: number;
  atMost?: number;
}
export interface SolutionRule extends RuleBase {
  solution: true;
  tolerance?: number;
}
export interface AgreementRule extends RuleBase {
  agreement: string;
  atLeast: number;
}
export type CheckRule = EqualsRule | BoundsRule | SolutionRule | AgreementRule;
export type CheckRules = Record<string, CheckRule>;

/** What a check cell emits: its rules and its probe's data, or the error the probe threw. */
export interface CheckEmission {
  version: 1;
  rules: CheckRules;
  data?: ProbeData;
  error?: string;
}

/** The MIME type of a check's emission in a notebook output (beside text/plain and text/html for people). */
export const CHECK_MIME = 'application/vnd.dl-course.check+json';
/** A probe's data is capped (JSON characters): a check compares a few values, not a data set. */
export const MAX_PROBE_CHARS = 256 * 1024;

export interface RuleFailure {
  field: string;
  /** The instructor's message for this rule, if any: safe to show for hidden checks. */
  message: string | null;
  /** What differs, in terms of the probe's data: shown for visible checks only. */
  detail: string;
}

export interface CheckJudgement {
  passed: boolean;
  failures: RuleFailure[];
  /** Fields whose rules need the solution's data and were not judged (a learner's local run). */
  pending: string[];
}

/** Checks that rules are well formed (the grader calls it on the solution's emission; the helper on every call). */
export function validateRules(rules: unknown): CheckRules {
  if (!rules || typeof rules !== 'object' || Array.isArray(rules)) throw new Error('check rules must be an object of field -> rule');
  for (const [field, rule] of Object.entries(rules as Record<string, unknown>)) {
    const r = rule as Record<string, unknown>;
    const where = `check rule for '${field}'`;
    if (!r || typeof r !== 'object') throw new Error(`${where} must be an object`);
    const kinds = ['equals', 'solution', 'agreement'].filter((k) => k in r);
    if (kinds.length > 1) throw new Error(`${where} has both ${kinds.join(' and ')}`);
    if (r.message !== undefined && typeof r.message !== 'string') throw new Error(`${where}: message must be a string`);
    if (r.tolerance !== undefined && !(typeof r.tolerance === 'number' && r.tolerance >= 0)) {
      throw new Error(`${where}: tolerance must be a number >= 0`);
    }
    for (const bound of ['atLeast', 'atMost']) {
      if (r[bound] !== undefined && typeof r[bound] !== 'number') throw new Error(`${where}: ${bound} must be a number`);
    }
    if ('solution' in r && r.solution !== true) throw new Error(`${where}: solution must be true`);
    if ('agreement' in r && (typeof r.agreement !== 'string' || typeof r.atLeast !== 'number')) {
      throw new Error(`${where}: agreement names a field and needs atLeast (a fraction)`);
    }
    if (kinds.length === 0 && r.atLeast === undefined && r.atMost === undefined) {
      throw new Error(`${where} needs equals, atLeast/atMost, solution or agreement`);
    }
  }
  return rules as CheckRules;
}

/**
 * Judges `data` by `rules`. With `solution` (the same probe's data on the course's solution) every rule is judged;
 * without it, `solution` rules are left pending and `agreement` rules use `data`'s own field.
 */
export function judgeProbe(rules: CheckRules, data: ProbeData, solution?: ProbeData): CheckJudgement {
  const failures: RuleFailure[] = [];
  const pending: string[] = [];
  for (const [field, rule] of Object.entries(rules)) {
    const fail = (detail: string) => failures.push({ field, message: rule.message ?? null, detail });
    if (!Object.prototype.hasOwnProperty.call(data, field)) {
      fail(`the check measured no '${field}'`);
      continue;
    }
    const value = data[field] as ProbeValue;
    if ('equals' in rule) {
      const difference = firstDifference(value, rule.equals, rule.tolerance ?? 0);
      if (difference !== null) fail(`${field}: expected ${preview(rule.equals)}, got ${preview(value)}${difference}`);
    } else if ('solution' in rule) {
      if (!solution) {
        pending.push(field);
        continue;
      }
      const expected = solution[field];
      if (expected === undefined) throw new Error(`the solution's probe has no '${field}'`);
      const difference = firstDifference(value, expected, rule.tolerance ?? 0);
      if (difference !== null) fail(`${field}: differs from the solution's${difference}`);
    } else if ('agreement' in rule) {
      const against = (solution ?? data)[rule.agreement];
      const fraction = agreementFraction(value, against);
      if (fraction === null) fail(`${field}: should be an array as long as ${rule.agreement}`);
      else if (!(fraction >= rule.atLeast)) {
        fail(`${field}: agrees with ${rule.agreement} at ${formatNumber(100 * fraction)}% of positions, needs ${formatNumber(100 * rule.atLeast)}%`);
      }
    } else {
      const n = asNumber(value);
      if (n === null) fail(`${field}: expected a number, got ${preview(value)}`);
      else if (rule.atLeast !== undefined && !(n >= rule.atLeast)) fail(`${field}: ${formatNumber(n)} is below ${formatNumber(rule.atLeast)}`);
      else if (rule.atMost !== undefined && !(n <= rule.atMost)) fail(`${field}: ${formatNumber(n)} is above ${formatNumber(rule.atMost)}`);
    }
  }
  return { passed: failures.length === 0 && pending.length === 0, failures, pending };
}

/**
 * Plain data from a probe's result: typed arrays become arrays, NaN and infinities become the strings 'NaN',
 * 'Infinity', '-Infinity' (JSON has no such numbers; the rules read them back). Anything else that is not plain
 * data (tensors, functions, class instances, cycles) is an error that names the field.
 */
export function toProbeData(result: unknown): ProbeData {
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    throw new Error('a check probe must return an object of named fields, e.g. { values: [...], loss: 0.5 }');
  }
  const seen = new Set<unknown>();
  const plain = (value: unknown, where: string): ProbeValue => {
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => plain(typeof v === 'bigint' ? Number(v) : v, where));
    }
    if (typeof value === 'object') {
      if (seen.has(value)) throw new Error(`the probe's '${where}' refers to itself`);
      seen.add(value);
      const proto = Object.getPrototypeOf(value);
      if (Array.isArray(value)) return value.map((v, i) => plain(v, `${where}[${i}]`));
      if (proto === Object.prototype || proto === null) {
        return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, plain(v, `${where}.${k}`)]));
      }
    }
    throw new Error(`the probe's '${where}' is not plain data (numbers, strings, booleans, arrays, objects): read tensors with dataSync() or arraySync()`);
  };
  const data = plain(result, 'result') as ProbeData;
  if (JSON.stringify(data).length > MAX_PROBE_CHARS) throw new Error(`a check probe's data must stay under ${MAX_PROBE_CHARS} characters of JSON`);
  return data;
}

function asNumber(value: ProbeValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return null;
}

/** null when equal; else a short note on where they differ ('' when the preview already says it). */
function firstDifference(got: ProbeValue | undefined, want: ProbeValue | undefined, tolerance: number, at = ''): string | null {
  const g = asNumber(got as ProbeValue);
  const w = asNumber(want as ProbeValue);
  if (w !== null) {
    if (g === null) return at ? ` (at ${at}: not a number)` : '';
    const same = (Number.isNaN(g) && Number.isNaN(w)) || g === w || Math.abs(g - w) <= tolerance;
    return same ? null : at ? ` (first difference at ${at}: ${formatNumber(g)} instead of ${formatNumber(w)})` : '';
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return at ? ` (at ${at}: not an array)` : '';
    if (got.length !== want.length) return ` (${at ? `at ${at}: ` : ''}length ${got.length} instead of ${want.length})`;
    for (let i = 0; i < want.length; i++) {
      const d = firstDifference(got[i], want[i], tolerance, `${at}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return at ? ` (at ${at}: not an object)` : '';
    for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
      const d = firstDifference((got as Record<string, ProbeValue>)[key], want[key], tolerance, `${at}.${key}`);
      if (d !== null) return d;
    }
    return null;
  }
  return got === want ? null : at ? ` (at ${at})` : '';
}

function agreementFraction(values: ProbeValue, against: ProbeValue | undefined): number | null {
  if (!Array.isArray(values) || !Array.isArray(against) || values.length !== against.length || values.length === 0) return null;
  const same = values.filter((v, i) => firstDifference(v, against[i] as ProbeValue, 0) === null).length;
  return same / values.length;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** A short rendering of a value for messages (long arrays and strings are cut). */
export function preview(value: ProbeValue | undefined, limit = 160): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
