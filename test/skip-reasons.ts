/**
 * Skipping a test says why: the reason is printed where the test is skipped and listed again in the run's closing
 * summary (test/summary-reporter.js), so "N skipped" never hides what was not checked.
 */

/** Mark `ctx`'s test (or, from a `before` hook, its whole suite) skipped for `reason`. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  // ctx.test is the running hook or test; from a hook, the skip covers the hook's suite
  const runnable = ctx.test as (Mocha.Runnable & { type?: string }) | undefined;
  const target = runnable?.type === 'hook' ? runnable.parent : runnable;
  if (target) (target as { skipReason?: string }).skipReason = reason;
  console.log(`      skipped: ${reason}`);
  ctx.skip();
}
