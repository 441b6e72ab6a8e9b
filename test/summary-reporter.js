// Mocha's spec reporter, plus the skipped tests with their reasons and one closing line in the plain
// "N passed, N failed, N skipped" form that CI reads.
const Mocha = require('mocha');

/** The reason given with skipBecause (test/skip-reasons.ts), on the test or a suite around it. */
function skipReason(test) {
  for (let node = test; node; node = node.parent) if (node.skipReason) return node.skipReason;
  return 'written as it.skip / describe.skip in the test file';
}

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const skipped = [];
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (test) => skipped.push(test));
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      if (skipped.length > 0) {
        console.log('skipped, and why:');
        for (const test of skipped) console.log(`  - ${test.fullTitle()}: ${skipReason(test)}`);
      }
      console.log(`mocha: ${passes} passed, ${failures} failed, ${pending} skipped`);
    });
  }
}

module.exports = SpecWithSummary;
