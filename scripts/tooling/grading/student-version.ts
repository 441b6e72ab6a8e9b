/**
 * Makes the student version of an instructor notebook: solution regions become a stub that throws, hidden checks
 * and hidden regions disappear, outputs are cleared (they would show the solutions' results).
 *
 *   code:      // BEGIN SOLUTION ... // END SOLUTION    -> throw new Error('not implemented');
 *   markdown:  <!-- BEGIN SOLUTION --> ... <!-- END SOLUTION -->  -> _Your answer here._
 *   checks:    // BEGIN HIDDEN ... // END HIDDEN         -> removed (restored at grading from the instructor copy)
 */
import { cellSource, Notebook, NotebookCell, toSourceLines } from '../notebook-file';
import { courseMetadata, isCheckCell } from './check-cells';

export const NOT_IMPLEMENTED_STUB = "throw new Error('not implemented');";
export const MARKDOWN_ANSWER_STUB = '_Your answer here._';

const CODE_MARKERS = { begin: /^\s*\/\/\s*BEGIN SOLUTION\s*$/, end: /^\s*\/\/\s*END SOLUTION\s*$/ };
const HIDDEN_MARKERS = { begin: /^\s*\/\/\s*BEGIN HIDDEN\s*$/, end: /^\s*\/\/\s*END HIDDEN\s*$/ };
const MARKDOWN_MARKERS = { begin: /^\s*<!--\s*BEGIN SOLUTION\s*-->\s*$/, end: /^\s*<!--\s*END SOLUTION\s*-->\s*$/ };

interface Markers {
  begin: RegExp;
  end: RegExp;
}

/**
 * Replace every marked region (marker lines included) by `stub(indent)`, or drop it when stub is null.
 * Unbalanced markers are an error: a stray END would otherwise leak the solution.
 */
export function replaceRegions(
  text: string,
  markers: Markers,
  stub: ((indent: string) => string) | null,
  where: string,
): { text: string; regions: number } {
  const out: string[] = [];
  let inside = false;
  let regions = 0;
  const lines = text.split('\n');
  lines.forEach((line, n) => {
    if (markers.begin.test(line)) {
      if (inside) throw new Error(`${where}, line ${n + 1}: BEGIN inside another region`);
      inside = true;
      regions++;
      if (stub) out.push(stub(/^\s*/.exec(line)?.[0] ?? ''));
    } else if (markers.end.test(line)) {
      if (!inside) throw new Error(`${where}, line ${n + 1}: END without BEGIN`);
      inside = false;
    } else if (!inside) {
      out.push(line);
    }
  });
  if (inside) throw new Error(`${where}: BEGIN without END`);
  return { text: out.join('\n'), regions };
}

/** What a student may see of a check cell: nothing for a hidden check, else its source without hidden regions. */
export function visibleCheckSource(cell: NotebookCell, where: string): string | null {
  if (courseMetadata(cell).hidden === true) return null;
  return replaceRegions(cellSource(cell), HIDDEN_MARKERS, null, where).text;
}

/**
 * The lines of an instructor cell that a student's copy keeps as they are: everything outside solution and hidden
 * regions, trimmed, blank lines left out (what matches a submission's cell to it when ids are missing).
 */
export function fixedLines(cell: NotebookCell): string[] {
  let text = cellSource(cell);
  const where = `cell ${cell.id ?? ''}`;
  if (cell.cell_type === 'code') {
    text = replaceRegions(replaceRegions(text, CODE_MARKERS, null, where).text, HIDDEN_MARKERS, null, where).text;
  } else if (cell.cell_type === 'markdown') {
    text = replaceRegions(text, MARKDOWN_MARKERS, null, where).text;
  }
  return text.split('\n').map((line) => line.trim()).filter(Boolean);
}

export interface StudentVersion {
  notebook: Notebook;
  solutionRegions: number;
  hiddenChecksRemoved: number;
}

export function makeStudentVersion(source: Notebook, file: string): StudentVersion {
  let solutionRegions = 0;
  let hiddenChecksRemoved = 0;
  const cells: NotebookCell[] = [];
  source.cells.forEach((cell, index) => {
    const where = `${file}: cell ${index}`;
    if (isCheckCell(cell) && courseMetadata(cell).hidden === true) {
      hiddenChecksRemoved++;
      return;
    }
    let text = cellSource(cell);
    if (cell.cell_type === 'code') {
      const solved = replaceRegions(text, CODE_MARKERS, (indent) => indent + NOT_IMPLEMENTED_STUB, where);
      solutionRegions += solved.regions;
      text = replaceRegions(solved.text, HIDDEN_MARKERS, null, where).text;
    } else if (cell.cell_type === 'markdown') {
      const solved = replaceRegions(text, MARKDOWN_MARKERS, () => MARKDOWN_ANSWER_STUB, where);
      solutionRegions += solved.regions;
      text = solved.text;
    }
    const copy: NotebookCell = { ...cell, metadata: { ...cell.metadata }, source: toSourceLines(text) };
    if (cell.cell_type === 'code') {
      copy.outputs = [];
      copy.execution_count = null;
    }
    cells.push(copy);
  });
  return { notebook: { ...source, cells }, solutionRegions, hiddenChecksRemoved };
}
