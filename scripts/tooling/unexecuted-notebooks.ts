/**
 * Handouts show outputs, so they are made from executed notebooks. A notebook whose code cells have never run (a
 * lesson's source, as committed) would give a handout of bare code; exporting one over a good handout loses it.
 */
import * as path from 'node:path';
import { readNotebook } from './notebook-file';

/** True when the notebook has code cells and none of them has run (no execution count, no output). */
export function isUnexecuted(file: string): boolean {
  const code = readNotebook(file).cells.filter((cell) => cell.cell_type === 'code');
  return code.length > 0 && code.every((cell) => cell.execution_count == null && (cell.outputs ?? []).length === 0);
}

/** Throw, before anything is written, when any of the notebooks has never been executed; the message says what to run. */
export function assertExecuted(notebooks: string[]): void {
  const unexecuted = notebooks.filter(isUnexecuted);
  if (unexecuted.length === 0) return;
  const names = unexecuted.map((file) => path.relative(process.cwd(), file) || file);
  throw new Error(
    `${names.join(', ')} ${unexecuted.length === 1 ? 'has' : 'have'} never been executed (no code cell has run), so ` +
      `${unexecuted.length === 1 ? 'its handout' : 'their handouts'} would show no outputs; no handout was written. ` +
      `Execute first, then export the executed copies: npm run execute -- ${names.join(' ')} && npm run handouts`,
  );
}
