/**
 * Finds a Python that can run Jupyter (imports jupyter_client, nbclient, nbformat): JUPYTER_PYTHON first, then
 * every python3/python on PATH in order (the first python on PATH is often a virtualenv without Jupyter).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REQUIRED_MODULES = 'import jupyter_client, nbclient, nbformat';
let cached: string | undefined;

export function findJupyterPython(): string {
  if (cached) return cached;
  const fromEnv = process.env.JUPYTER_PYTHON;
  if (fromEnv) {
    if (!canRunJupyter(fromEnv)) {
      throw new Error(`JUPYTER_PYTHON=${fromEnv} cannot import jupyter_client, nbclient and nbformat`);
    }
    return (cached = fromEnv);
  }
  const found = pythonsOnPath().find(canRunJupyter);
  if (!found) {
    throw new Error(
      'No Python with Jupyter found (needs jupyter_client, nbclient, nbformat). Install Jupyter ' +
        '(Debian: apt-get install jupyter-nbconvert python3-nbclient jupyter-client; pip: pip install nbclient nbconvert) ' +
        'or set JUPYTER_PYTHON=/path/to/python.',
    );
  }
  return (cached = found);
}

function pythonsOnPath(): string[] {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const seen = new Set<string>();
  const found: string[] = [];
  for (const dir of dirs) {
    for (const name of ['python3', 'python']) {
      const candidate = path.join(dir, name);
      let real: string;
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        real = fs.realpathSync(candidate);
      } catch {
        continue;
      }
      // Shims (pyenv) resolve to a script; keep the first path for each real file.
      if (seen.has(real)) continue;
      seen.add(real);
      found.push(candidate);
    }
  }
  return found;
}

function canRunJupyter(python: string): boolean {
  try {
    execFileSync(python, ['-c', REQUIRED_MODULES], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}
