/**
 * Registers the tslab TypeScript kernel with Jupyter, pointing at this project's own tslab, so notebooks run with
 * the project's library and TypeScript. Usage: `npm run setup` (also run, softly, by `npm install`).
 *   --soft   never fail: print what to install and exit 0 (used by npm install)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const soft = process.argv.includes('--soft');
const root = path.resolve(__dirname, '..');
const tslabBinary = path.join(root, 'node_modules', '.bin', 'tslab');

function canImportJupyter(python: string): boolean {
  try {
    execFileSync(python, ['-c', 'import jupyter_client, nbformat'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function findPython(): string | undefined {
  const candidates = [process.env.JUPYTER_PYTHON, 'python3', 'python', '/usr/bin/python3'].filter(
    (c): c is string => !!c,
  );
  return candidates.find(canImportJupyter);
}

function main(): number {
  const python = findPython();
  if (!python) {
    console.log(
      [
        'setup-kernel: no Python with Jupyter found, so the TypeScript kernel was not registered.',
        '  Install Jupyter, then run `npm run setup`:',
        '    Debian/Ubuntu: sudo apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient',
        '    pip:           pip install jupyterlab nbconvert nbclient',
        '  (set JUPYTER_PYTHON=/path/to/python if Jupyter lives in a specific environment)',
      ].join('\n'),
    );
    return soft ? 0 : 1;
  }
  try {
    execFileSync(tslabBinary, ['install', `--python=${python}`, `--binary=${tslabBinary}`], { stdio: 'pipe' });
    console.log(`setup-kernel: registered the 'tslab' TypeScript kernel for ${python} -> ${tslabBinary}`);
    return 0;
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
    console.log(`setup-kernel: registering the tslab kernel failed: ${detail}`);
    return soft ? 0 : 1;
  }
}

process.exit(main());
