/** One 'tslab' kernel for every course checkout: each notebook runs the tslab of the checkout that holds it. */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installLauncher } from '../../scripts/setup-kernel';
import { runNotebook } from '../../scripts/tooling/run-notebook';
import { codeCell, requireJupyter, ROOT, scratchDir, writeTslabNotebook } from './helpers';

/** A folder that looks like a checkout: a node_modules/tslab whose "kernel" prints who it is and its arguments. */
function fakeCheckout(dir: string, name: string): string {
  const bin = path.join(dir, 'node_modules', 'tslab', 'bin', 'tslab');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.writeFileSync(bin, `console.log(JSON.stringify({ checkout: ${JSON.stringify(name)}, args: process.argv.slice(2), script: process.argv[1] }));\n`);
  fs.mkdirSync(path.join(dir, 'notebooks'), { recursive: true });
  return bin;
}

describe('setup: the tslab kernel launcher', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = scratchDir('kernel-launcher');
  });

  it('starts the tslab of the checkout holding the notebook, else the one that registered the kernel', () => {
    const a = fakeCheckout(path.join(dir, 'checkout-a'), 'a');
    fakeCheckout(path.join(dir, 'checkout-b'), 'b');
    const spec = path.join(dir, 'kernels', 'tslab');
    fs.mkdirSync(spec, { recursive: true });
    fs.writeFileSync(path.join(spec, 'kernel.json'), JSON.stringify({ argv: ['tslab', 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' }));
    installLauncher(spec, a);
    const kernel = JSON.parse(fs.readFileSync(path.join(spec, 'kernel.json'), 'utf8'));
    assert.deepEqual(kernel.argv, [process.execPath, '{resource_dir}/tslab-launcher.js', 'kernel', '--config-path', '{connection_file}']);
    assert.equal(kernel.display_name, 'TypeScript');
    const start = (cwd: string) => {
      fs.mkdirSync(cwd, { recursive: true });
      const argv = kernel.argv.map((arg: string) => arg.replace('{resource_dir}', spec).replace('{connection_file}', 'conn.json'));
      return JSON.parse(execFileSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8' }));
    };
    assert.deepEqual(start(path.join(dir, 'checkout-b', 'notebooks')).checkout, 'b');
    const fromA = start(path.join(dir, 'checkout-a', 'notebooks', 'deeper'));
    assert.deepEqual(fromA, { checkout: 'a', args: ['kernel', '--config-path', 'conn.json'], script: a });
    // outside any checkout (the scratch folder's own parents hold the real project, so use a bare temp folder)
    const outside = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'no-checkout-'));
    assert.equal(start(outside).checkout, 'a');
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('a launcher whose fallback is gone says what to do', () => {
    const spec = path.join(dir, 'kernels-gone', 'tslab');
    fs.mkdirSync(spec, { recursive: true });
    fs.writeFileSync(path.join(spec, 'kernel.json'), JSON.stringify({ argv: [] }));
    installLauncher(spec, path.join(dir, 'deleted-checkout', 'node_modules', 'tslab', 'bin', 'tslab'));
    const outside = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'no-checkout-'));
    const run = spawnSync(process.execPath, [path.join(spec, 'tslab-launcher.js')], { cwd: outside, encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no node_modules\/tslab above .*, and .*deleted-checkout.* is gone: run `npm run setup` in a course checkout/);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('npm run setup -- --prefix registers a kernel that Jupyter starts and that runs a notebook', async function () {
    requireJupyter(this);
    const prefix = path.join(dir, 'prefix');
    const setup = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'setup-kernel.ts'), '--prefix', prefix], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(setup.status, 0, setup.stdout + setup.stderr);
    assert.match(setup.stdout, /registered the 'tslab' TypeScript kernel .* each notebook runs the tslab of its own checkout/);
    const notebook = writeTslabNotebook(path.join(dir, 'hello.ipynb'), [codeCell("console.log('hello from ' + require.resolve('tslab'));")]);
    const output = path.join(dir, 'hello-out.ipynb');
    const run = await runNotebook({
      input: notebook,
      output,
      cellTimeoutSeconds: 240,
      notebookTimeoutSeconds: 280,
      env: { JUPYTER_PATH: path.join(prefix, 'share', 'jupyter') },
    });
    assert.equal(run.status, 'ok', String(run.error));
    assert.match(fs.readFileSync(output, 'utf8'), /hello from /);
  });
});
