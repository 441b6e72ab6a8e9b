/** Check cells for exercises: `course.check(probe, rules)` and the rules the grader judges with (docs/tooling.md). */
export { check, tensorProbe } from './check';
export { CHECK_MIME, judgeProbe, toProbeData, validateRules } from './rules';
export type { CheckEmission, CheckJudgement, CheckRule, CheckRules, ProbeData, ProbeValue, RuleFailure } from './rules';
