/**
 * npm run results [-- --check | --promote FILE|FOLDER... | --profile smoke]
 *
 * The reference results: results/reference/full/*.json (committed) and docs/results.md made from them. Learners'
 * and instructors' runs write results/<profile>/ (git-ignored); only --promote (or `npm run execute --
 * --record-reference`) changes the reference.
 *   (no option)       regenerate docs/results.md from results/reference/full/
 *   --check           exit 1 when docs/results.md is not up to date (changes nothing)
 *   --promote PATH... make these full-profile results files (or every *.json in these folders) the reference,
 *                     then regenerate docs/results.md (commit both)
 *   --profile smoke   print the smoke profile's last runs (results/smoke/) instead
 *   --stdout          print the page instead of writing docs/results.md
 *   --from DIR        read the result files from DIR instead (e.g. a checkout of another commit)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCourseProfile, projectRoot, resultsDir } from '@dl-course/lib/config';
import { RESULTS_PAGE, promoteResults, referenceResultsPage, resultFilesIn, resultsPage } from './tooling/reference-results';

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      check: { type: 'boolean' },
      promote: { type: 'boolean' },
      profile: { type: 'string' },
      stdout: { type: 'boolean' },
      from: { type: 'string' },
    },
  });
  const root = projectRoot(__dirname);
  const profile = parseCourseProfile(values.profile ?? 'full', '--profile');
  if (positionals.length > 0 && !values.promote) throw new Error(`unexpected argument '${positionals[0]}' (did you mean --promote ${positionals[0]}?)`);
  if (values.promote) {
    if (profile !== 'full') throw new Error("--promote: the course's reference is a full-profile run; smoke results stay in results/smoke/");
    if (positionals.length === 0) throw new Error('--promote needs the results files or folders to promote, e.g. --promote results/full/02-cnn.json');
    const written = promoteResults(resultFilesIn(positionals), profile, root);
    for (const file of written) console.log(`results: reference ${path.relative(root, file)}`);
  } else if (profile !== 'full') {
    // Another profile has no reference page: show its last run.
    process.stdout.write(resultsPage(root, path.resolve(values.from ?? path.join(resultsDir(), profile))));
    return 0;
  }
  const markdown = referenceResultsPage(root, values.from && path.resolve(values.from));
  const target = path.join(root, RESULTS_PAGE);
  if (values.stdout) {
    process.stdout.write(markdown);
    return 0;
  }
  if (values.check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current === markdown) return 0;
    console.error('results: docs/results.md is out of date; run `npm run results`');
    return 1;
  }
  fs.writeFileSync(target, markdown);
  console.log(`results: ${RESULTS_PAGE} regenerated from results/reference/full`);
  return 0;
}

try {
  process.exit(main());
} catch (error) {
  console.error(`results: ${(error as Error).message}`);
  process.exit(2);
}
