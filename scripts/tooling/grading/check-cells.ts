/**
 * The grading metadata convention (see docs/tooling.md):
 *
 *   a check cell is a code cell tagged `check` whose metadata says how many points it is worth:
 *     cell.metadata.tags = ['check']
 *     cell.metadata.course = { check: true, points: 2, name?: 'relu-values', hidden?: true }
 *
 * A check passes when its cell runs without an error. Hidden checks are removed from student versions and restored
 * at grading. Checks are matched between the instructor's notebook and a submission by cell id (nbformat >= 4.5).
 */
import type { Notebook, NotebookCell } from '../notebook-file';

export interface CourseCellMetadata {
  check?: boolean;
  points?: number;
  name?: string;
  hidden?: boolean;
}

export interface CheckSpec {
  /** The cell id that ties the check to its place in every copy of the notebook. */
  id: string;
  /** Shown in reports: metadata.course.name, else the cell id. */
  name: string;
  points: number;
  hidden: boolean;
  /** Position in the instructor's notebook. */
  index: number;
}

export function courseMetadata(cell: NotebookCell): CourseCellMetadata {
  const course = cell.metadata?.course;
  return course && typeof course === 'object' ? (course as CourseCellMetadata) : {};
}

/** Tagged `check` or marked `course.check` (either marks it, so a half-edited cell still counts as one). */
export function isCheckCell(cell: NotebookCell): boolean {
  return (cell.metadata?.tags ?? []).includes('check') || courseMetadata(cell).check === true;
}

/** The instructor's checks, validated: code cells with ids and non-negative points; names unique. */
export function listChecks(nb: Notebook, file: string): CheckSpec[] {
  const checks: CheckSpec[] = [];
  nb.cells.forEach((cell, index) => {
    if (!isCheckCell(cell)) return;
    const where = `${file}: cell ${index}`;
    if (cell.cell_type !== 'code') throw new Error(`${where} is marked as a check but is not a code cell`);
    if (!cell.id) {
      throw new Error(`${where} is a check without a cell id; save the notebook as nbformat 4.5 or later`);
    }
    const course = courseMetadata(cell);
    const points = course.points;
    if (typeof points !== 'number' || !Number.isFinite(points) || points < 0) {
      throw new Error(`${where} (check ${cell.id}) needs metadata.course.points, a number >= 0`);
    }
    checks.push({ id: cell.id, name: course.name ?? cell.id, points, hidden: course.hidden === true, index });
  });
  const names = checks.map((c) => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`${file}: two checks are named '${duplicate}'`);
  return checks;
}
