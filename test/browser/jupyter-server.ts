/** Starts the classic Jupyter Notebook server (Debian's jupyter-notebook 6.x) on 127.0.0.1 with no token. */
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import { findJupyterPython } from '../../scripts/tooling/jupyter-python';

export interface NotebookServer {
  url: string;
  stop(): Promise<void>;
  log(): string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function startNotebookServer(rootDir: string, env: Record<string, string>): Promise<NotebookServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    findJupyterPython(),
    [
      '-m',
      'notebook',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      '--NotebookApp.token=',
      '--NotebookApp.password=',
      `--notebook-dir=${rootDir}`,
      // A trust database of its own, empty: whether a notebook is trusted never depends on this machine's history.
      '--NotebookNotary.db_file=:memory:',
      // Containers and CI often run as root, which the server refuses without this.
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    { cwd: rootDir, env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter notebook exited (${child.exitCode}): ${output.slice(-2000)}`);
    try {
      const response = await fetch(`${url}/api/status`);
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`jupyter notebook did not start within 60 s: ${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    log: () => output,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM'); // the server shuts its kernels down on SIGTERM
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
