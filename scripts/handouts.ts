/**
 * npm run handouts -- [executed notebooks|folders] [-o out/handouts]
 *
 * Exports executed notebooks (default: out/executed, as `npm run execute` writes them) to self-contained HTML
 * handouts (plots inline, code highlighted, nothing loaded from the network) plus an index page in course order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '@dl-course/lib/config';
import { parseNotebooksAndOutput } from './tooling/cli';
import { exportHandouts } from './tooling/handouts';
import { expandNotebookArgs } from './tooling/notebook-list';
import { assertExecuted } from './tooling/unexecuted-notebooks';

const USAGE = `Usage: npm run handouts -- [executed.ipynb|folder ...] [-o DIR]
  (no arguments: out/executed, written by npm run execute)
  -o, --output DIR   folder for the HTML handouts and index.html (default out/handouts)`;

async function main(): Promise<number> {
  const args = parseNotebooksAndOutput(USAGE);
  if (!args) return 0;
  const { positionals, output } = args;
  const root = projectRoot(__dirname);
  const executedDir = path.join(root, 'out', 'executed');
  if (positionals.length === 0 && !fs.existsSync(executedDir)) {
    throw new Error(`${path.relative(process.cwd(), executedDir)} does not exist: run \`npm run execute\` first`);
  }
  const notebooks = expandNotebookArgs(positionals.length > 0 ? positionals : [executedDir]);
  assertExecuted(notebooks);
  const outDir = path.resolve(output ?? path.join(root, 'out', 'handouts'));
  const note = executionNote(positionals.length > 0 ? undefined : path.join(executedDir, 'summary.json'));
  const { handouts, index } = await exportHandouts({ notebooks, outDir, note });
  for (const h of handouts) {
    console.log(`${path.basename(h.notebook)} -> ${path.relative(process.cwd(), h.file)}  (${h.title}; ${h.mathRendered} formulas)`);
    for (const tex of h.mathFailed) console.warn(`  warning: could not typeset $${tex}$; left as written`);
  }
  console.log(`handouts: ${handouts.length} page(s), index at ${path.relative(process.cwd(), index)}`);
  return 0;
}

/** "Executed in the smoke profile" when execute's summary says so. */
function executionNote(summaryFile: string | undefined): string | undefined {
  if (!summaryFile || !fs.existsSync(summaryFile)) return undefined;
  try {
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { profile?: string };
    const stamp = fs.statSync(summaryFile).mtime.toISOString().slice(0, 10);
    return summary.profile ? `Executed in the ${summary.profile} profile on ${stamp}.` : undefined;
  } catch {
    return undefined;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`handouts: ${error.message}`);
    process.exit(2);
  },
);
