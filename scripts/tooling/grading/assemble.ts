/**
 * Builds the notebook that is actually graded: the submission's own cells, with every check cell taken from the
 * instructor's notebook. Submission cells that claim to be checks (by the id of an instructor check, or by tag or
 * metadata) are dropped, and each instructor check, hidden ones included, is put back right after the nearest
 * instructor cell before it that the submission still has. So a submission cannot edit, delete or move its checks.
 */
import type { Notebook, NotebookCell } from '../notebook-file';
import { CheckSpec, isCheckCell } from './check-cells';

export interface AssembledNotebook {
  notebook: Notebook;
  /** Position of each check (by id) in the assembled notebook. */
  checkPositions: Map<string, number>;
}

const START = Symbol('start');

export function assembleGradedNotebook(
  instructor: Notebook,
  checks: readonly CheckSpec[],
  submission: Notebook,
): AssembledNotebook {
  const checkIds = new Set(checks.map((c) => c.id));
  const kept = submission.cells.filter((cell) => !(cell.id && checkIds.has(cell.id)) && !isCheckCell(cell));
  const keptIds = new Set(kept.map((cell) => cell.id).filter((id): id is string => !!id));

  // Each instructor check hangs after its anchor: the closest earlier non-check instructor cell still present.
  const anchored = new Map<string | typeof START, NotebookCell[]>();
  let anchor: string | typeof START = START;
  for (const cell of instructor.cells) {
    if (cell.id && checkIds.has(cell.id)) {
      const list = anchored.get(anchor) ?? [];
      list.push(freshCopy(cell));
      anchored.set(anchor, list);
    } else if (cell.id && keptIds.has(cell.id)) {
      anchor = cell.id;
    }
  }

  const cells: NotebookCell[] = [...(anchored.get(START) ?? [])];
  const seen = new Set<string>();
  for (const cell of kept) {
    cells.push(freshCopy(cell));
    // Only the first cell with a given id anchors checks (ids should be unique; a copy must not duplicate checks).
    if (cell.id && !seen.has(cell.id)) {
      seen.add(cell.id);
      cells.push(...(anchored.get(cell.id) ?? []));
    }
  }
  const checkPositions = new Map<string, number>();
  cells.forEach((cell, i) => {
    if (cell.id && checkIds.has(cell.id) && !checkPositions.has(cell.id)) checkPositions.set(cell.id, i);
  });
  const notebook: Notebook = {
    ...submission,
    // Instructor cells carry ids, which need nbformat 4.5.
    nbformat: 4,
    nbformat_minor: Math.max(submission.nbformat_minor ?? 0, instructor.nbformat_minor ?? 0, 5),
    metadata: { ...submission.metadata, kernelspec: instructor.metadata.kernelspec },
    cells,
  };
  return { notebook, checkPositions };
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
