/**
 * Builds the notebook that is actually graded: the submission's own cells, with every check cell taken from the
 * instructor's notebook. Submission cells that claim to be checks (by the id of an instructor check, or by tag or
 * metadata) are dropped, and each visible instructor check is put back right after the nearest instructor cell
 * before it that the submission still has. Hidden checks come apart, to run after everything else (the grader sends
 * them into the sandbox only once it has read what the rest produced). So a submission cannot edit, delete or move
 * its checks, nor see a hidden one before its visible results are in.
 *
 * Cells are matched by id. A notebook saved without ids (nbformat 4.4) gets the instructor's ids by content: each
 * instructor cell, in order, takes the first later submission cell of its type that keeps most of its fixed lines
 * (for an exercise, the lines outside its solution region); cells left over are then looked for anywhere (moved).
 */
import { cellSource, Notebook, NotebookCell } from '../notebook-file';
import { CheckSpec, isCheckCell } from './check-cells';
import { fixedLines } from './student-version';

export interface CheckPosition {
  /** 1: among the notebook's cells; 2: among the hidden checks sent afterwards. */
  phase: 1 | 2;
  index: number;
}

export interface AssembledNotebook {
  /** The submission's cells with the visible checks in place. */
  notebook: Notebook;
  /** The hidden checks, in the instructor's order. */
  hidden: NotebookCell[];
  checkPositions: Map<string, CheckPosition>;
  /** Per check id: the instructor cell it follows, when the submission has no cell that matches it. */
  missingAnchors: Map<string, string>;
  /** Cells whose ids were given by content (the submission had none). */
  matchedByContent: number;
}

const START = Symbol('start');
/** Share of an instructor cell's fixed lines a submission cell must keep to be taken for it. */
const MATCH_THRESHOLD = 0.6;

export function assembleGradedNotebook(instructor: Notebook, checks: readonly CheckSpec[], submission: Notebook): AssembledNotebook {
  const checkIds = new Set(checks.map((c) => c.id));
  const hiddenIds = new Set(checks.filter((c) => c.hidden).map((c) => c.id));
  const claimsCheck = (cell: NotebookCell) => (cell.id !== undefined && checkIds.has(cell.id)) || isCheckCell(cell);
  const { cells: matched, byContent } = matchIdsByContent(instructor, checkIds, submission.cells.filter((c) => !claimsCheck(c)));
  const keptIds = new Set(matched.map((cell) => cell.id).filter((id): id is string => !!id));

  // Each visible instructor check hangs after its anchor: the closest earlier non-check instructor cell still present.
  const anchored = new Map<string | typeof START, NotebookCell[]>();
  const missingAnchors = new Map<string, string>();
  let anchor: string | typeof START = START;
  let previous: string | null = null;
  const hidden: NotebookCell[] = [];
  for (const cell of instructor.cells) {
    if (cell.id && checkIds.has(cell.id)) {
      if (previous && previous !== anchor) missingAnchors.set(cell.id, previous);
      if (hiddenIds.has(cell.id)) {
        hidden.push(freshCopy(cell));
        continue;
      }
      const list = anchored.get(anchor) ?? [];
      list.push(freshCopy(cell));
      anchored.set(anchor, list);
    } else if (cell.id) {
      previous = cell.id;
      if (keptIds.has(cell.id)) anchor = cell.id;
    }
  }

  const cells: NotebookCell[] = [...(anchored.get(START) ?? [])];
  const seen = new Set<string>();
  for (const cell of matched) {
    cells.push(freshCopy(cell));
    // Only the first cell with a given id anchors checks (ids should be unique; a copy must not duplicate checks).
    if (cell.id && !seen.has(cell.id)) {
      seen.add(cell.id);
      cells.push(...(anchored.get(cell.id) ?? []));
    }
  }
  const checkPositions = new Map<string, CheckPosition>();
  cells.forEach((cell, index) => {
    if (cell.id && checkIds.has(cell.id) && !checkPositions.has(cell.id)) checkPositions.set(cell.id, { phase: 1, index });
  });
  hidden.forEach((cell, index) => checkPositions.set(cell.id as string, { phase: 2, index }));
  const notebook: Notebook = {
    ...submission,
    // Instructor cells carry ids, which need nbformat 4.5.
    nbformat: 4,
    nbformat_minor: Math.max(submission.nbformat_minor ?? 0, instructor.nbformat_minor ?? 0, 5),
    metadata: { ...submission.metadata, kernelspec: instructor.metadata.kernelspec },
    cells,
  };
  return { notebook, hidden, checkPositions, missingAnchors, matchedByContent: byContent };
}

/**
 * Gives submission cells without an id the id of the instructor cell they come from, by content and in order.
 * Cells that have ids keep them.
 */
function matchIdsByContent(instructor: Notebook, checkIds: Set<string>, cells: NotebookCell[]): { cells: NotebookCell[]; byContent: number } {
  if (cells.every((cell) => cell.id)) return { cells, byContent: 0 };
  const taken = new Set(cells.map((c) => c.id).filter(Boolean));
  const out = cells.map((cell) => ({ ...cell }));
  const lineSets = out.map((cell) => new Set(cellSource(cell).split('\n').map((l) => l.trim()).filter(Boolean)));
  let byContent = 0;
  const templates = instructor.cells.filter((t) => t.id && !checkIds.has(t.id) && !taken.has(t.id) && fixedLines(t).length > 0);
  // In order first (each match after the previous one), then anywhere for cells the student moved.
  const claim = (template: NotebookCell, from: number) => {
    const fixed = fixedLines(template);
    let best = -1;
    let bestScore = MATCH_THRESHOLD;
    for (let j = from; j < out.length; j++) {
      const cell = out[j]!;
      if (cell.id || cell.cell_type !== template.cell_type) continue;
      const score = fixed.filter((line) => lineSets[j]!.has(line)).length / fixed.length;
      if (score > bestScore || (best === -1 && score >= bestScore)) {
        best = j;
        bestScore = score;
        if (score === 1) break;
      }
    }
    if (best !== -1) {
      out[best]!.id = template.id;
      byContent++;
    }
    return best;
  };
  let next = 0;
  const unmatched: NotebookCell[] = [];
  for (const template of templates) {
    const at = claim(template, next);
    if (at === -1) unmatched.push(template);
    else next = at + 1;
  }
  for (const template of unmatched) claim(template, 0);
  // nbformat 4.5 wants an id on every cell: the ones no instructor cell claimed get their own.
  out.forEach((cell, i) => {
    if (!cell.id) cell.id = `submission-cell-${i}`;
  });
  return { cells: out, byContent };
}

/** A copy without outputs: the graded run starts from nothing the submission says about itself. */
function freshCopy(cell: NotebookCell): NotebookCell {
  const copy: NotebookCell = { ...cell, metadata: { ...cell.metadata } };
  if (cell.cell_type === 'code') {
    copy.outputs = [];
    copy.execution_count = null;
  }
  return copy;
}
