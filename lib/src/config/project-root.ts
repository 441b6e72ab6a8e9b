/**
 * Finds the course's project root: the nearest folder, walking up, whose package.json declares npm workspaces.
 * Notebooks run with their own folder as cwd, scripts from anywhere, so paths are resolved from this root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function findCourseRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && declaresWorkspaces(manifest)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `No course project root above ${path.resolve(start)}: looked for a package.json with "workspaces". ` +
          'Run from inside the course repository or set COURSE_RESULTS_DIR.',
      );
    }
    dir = parent;
  }
}

function declaresWorkspaces(manifestPath: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { workspaces?: unknown };
    return manifest.workspaces !== undefined;
  } catch {
    return false;
  }
}
