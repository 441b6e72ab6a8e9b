/**
 * npm run results [-- --check | --profile smoke --stdout]
 *
 * Regenerates docs/results.md from results/full/*.json, the reference results the notebooks record.
 *   --check           exit 1 when docs/results.md is not up to date (changes nothing)
 *   --profile NAME    tabulate another profile's results (smoke results print to stdout only)
 *   --stdout          print instead of writing docs/results.md
 *   --from DIR        read the result files from DIR instead of results/<profile> (e.g. a checkout of another commit)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCourseProfile, projectRoot } from '@dl-course/lib/config';
import { readRunResults } from '@dl-course/lib/report';
import { resultsMarkdown } from './tooling/results-markdown';

function main(): number {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean' },
      profile: { type: 'string' },
      stdout: { type: 'boolean' },
      from: { type: 'string' },
    },
  });
  const root = projectRoot(__dirname);
  const profile = parseCourseProfile(values.profile ?? 'full', '--profile');
  const folder = values.from ? path.resolve(values.from) : path.join(root, 'results', profile);
  const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.json')) : [];
  const runs = files.map((f) => readRunResults(path.join(folder, f)));
  const markdown = resultsMarkdown(runs, `results/${profile}`);
  const target = path.join(root, 'docs', 'results.md');
  if (values.stdout || profile !== 'full') {
    process.stdout.write(markdown);
    return 0;
  }
  if (values.check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current === markdown) return 0;
    console.error('results: docs/results.md is out of date; run `npm run results`');
    return 1;
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, markdown);
  console.log(`results: ${runs.length} notebook(s) from results/full -> docs/results.md`);
  return 0;
}

try {
  process.exit(main());
} catch (error) {
  console.error(`results: ${(error as Error).message}`);
  process.exit(2);
}
