/** Turns command-line notebook and folder arguments into a sorted list of notebook files, in course order. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The numbered course notebooks: `notebooks/[0-9][0-9]-*.ipynb`. */
export const COURSE_NOTEBOOK_PATTERN = /^\d\d-.*\.ipynb$/;

export function courseNotebooks(root: string): string[] {
  const dir = path.join(root, 'notebooks');
  if (!fs.existsSync(dir)) return [];
  return sortCourseOrder(
    fs
      .readdirSync(dir)
      .filter((name) => COURSE_NOTEBOOK_PATTERN.test(name))
      .map((name) => path.join(dir, name)),
  );
}

/** Expand files and folders (a folder gives the .ipynb files directly inside it); missing paths are errors. */
export function expandNotebookArgs(args: string[], cwd: string = process.cwd()): string[] {
  const found: string[] = [];
  for (const arg of args) {
    const full = path.resolve(cwd, arg);
    if (!fs.existsSync(full)) throw new Error(`${arg}: no such notebook or folder`);
    if (fs.statSync(full).isDirectory()) {
      found.push(
        ...fs
          .readdirSync(full)
          .filter((name) => name.endsWith('.ipynb'))
          .map((name) => path.join(full, name)),
      );
    } else if (full.endsWith('.ipynb')) {
      found.push(full);
    } else {
      throw new Error(`${arg}: not a notebook (.ipynb) or folder`);
    }
  }
  return sortCourseOrder([...new Set(found)]);
}

/** Course order: by file name (the two-digit prefix orders lessons), then by folder. */
export function sortCourseOrder(files: string[]): string[] {
  return [...files].sort(
    (a, b) => path.basename(a).localeCompare(path.basename(b), 'en') || a.localeCompare(b, 'en'),
  );
}
