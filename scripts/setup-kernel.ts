/**
 * Registers the TypeScript kernel ('tslab') with Jupyter. Usage: `npm run setup` (also run, softly, by `npm install`).
 *   --soft         never fail: print what to install and exit 0 (used by npm install)
 *   --prefix DIR   register under DIR/share/jupyter/kernels (default: where tslab puts it for this user)
 *
 * There is one kernel named 'tslab' per Jupyter, but there may be several course checkouts. The registered kernel
 * starts a small launcher (scripts/tooling/tslab-launcher.js, copied beside kernel.json) that runs the tslab of the
 * checkout holding the notebook, so installing a second checkout never re-points the first one's notebooks.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine } from './tooling/cli';

const USAGE = 'usage: npm run setup -- [--prefix DIR] [--soft]';
const root = path.resolve(__dirname, '..');
const tslabBinary = path.join(root, 'node_modules', '.bin', 'tslab');
const LAUNCHER = path.join(__dirname, 'tooling', 'tslab-launcher.js');

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

/** The folder of the registered 'tslab' kernelspec, as Jupyter finds it. */
function kernelSpecDir(python: string, prefix: string | undefined): string {
  if (prefix) return path.join(path.resolve(prefix), 'share', 'jupyter', 'kernels', 'tslab');
  const script = "from jupyter_client.kernelspec import KernelSpecManager; print(KernelSpecManager().get_kernel_spec('tslab').resource_dir)";
  return execFileSync(python, ['-c', script], { encoding: 'utf8' }).trim();
}

/** Point the kernelspec in `dir` at the launcher, which finds each notebook's own checkout. */
export function installLauncher(dir: string, fallbackTslab: string, node: string = process.execPath): void {
  fs.copyFileSync(LAUNCHER, path.join(dir, 'tslab-launcher.js'));
  fs.writeFileSync(path.join(dir, 'launcher.json'), JSON.stringify({ fallbackTslab }, null, 2) + '\n');
  const specFile = path.join(dir, 'kernel.json');
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as { argv: string[] };
  spec.argv = [node, '{resource_dir}/tslab-launcher.js', 'kernel', '--config-path', '{connection_file}'];
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 1) + '\n');
}

function main(): number {
  const { values } = parseCommandLine({ options: { soft: { type: 'boolean' }, prefix: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const soft = values.soft ?? false;
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
    const prefix = values.prefix ? [`--prefix=${path.resolve(values.prefix)}`] : [];
    execFileSync(tslabBinary, ['install', `--python=${python}`, `--binary=${tslabBinary}`, ...prefix], { stdio: 'pipe' });
    const dir = kernelSpecDir(python, values.prefix);
    installLauncher(dir, path.join(root, 'node_modules', 'tslab', 'bin', 'tslab'));
    console.log(`setup-kernel: registered the 'tslab' TypeScript kernel for ${python} in ${dir}: each notebook runs the tslab of its own checkout (outside one: ${root})`);
    return 0;
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
    console.log(`setup-kernel: registering the tslab kernel failed: ${detail}`);
    return soft ? 0 : 1;
  }
}

if (require.main === module) process.exit(main());
