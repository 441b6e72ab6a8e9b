/**
 * The course's project root: the nearest folder, walking up, whose package.json declares npm workspaces.
 * Notebooks run with their own folder as working directory and scripts from anywhere, so every course path (data,
 * results, manifests) is resolved from this root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project root above `start` (default: the working directory), or undefined outside the project. */
export function findProjectRoot(start: string = process.cwd()): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && declaresWorkspaces(manifest)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The project root above `start`; without `start`, above the working directory, else above the library's own folder
 * (a script run from elsewhere). Throws, naming the way out, when there is none.
 */
export function projectRoot(start?: string): string {
  const root = start !== undefined ? findProjectRoot(start) : (findProjectRoot(process.cwd()) ?? findProjectRoot(__dirname));
  if (root === undefined) {
    const searched = start !== undefined ? path.resolve(start) : `${process.cwd()} or ${__dirname}`;
    throw new Error(
      `No course project root above ${searched}: looked for a package.json with "workspaces". ` +
        'Run from inside the course repository, or set DATASETS_DIR and COURSE_RESULTS_DIR.',
    );
  }
  return root;
}

/** @deprecated the former name of {@link projectRoot}. */
export const findCourseRoot = projectRoot;

function declaresWorkspaces(manifestPath: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { workspaces?: unknown };
    return manifest.workspaces !== undefined;
  } catch {
    return false; // an unreadable package.json is not the root; keep walking
  }
}
