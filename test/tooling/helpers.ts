/** Shared helpers for the tooling tests: tiny tslab notebooks and the Jupyter availability rule. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findJupyterPython } from '../../scripts/tooling/jupyter-python';
import { Notebook, NotebookCell, toSourceLines, writeNotebook } from '../../scripts/tooling/notebook-file';
import { skipBecause } from '../skip-reasons';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A scratch folder inside the project (git-ignored out/), so tslab kernels resolve the project's packages. */
export function scratchDir(name: string): string {
  const parent = path.join(ROOT, 'out', 'test-tooling');
  removeStaleScratch(parent);
  const dir = path.join(parent, `${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Scratch folders of test runs that have ended (their pid is gone); folders of live runs are left alone. */
function removeStaleScratch(parent: string): void {
  if (!fs.existsSync(parent)) return;
  for (const entry of fs.readdirSync(parent)) {
    const pid = Number(/-(\d+)$/.exec(entry)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function codeCell(source: string, id?: string): NotebookCell {
  return { cell_type: 'code', ...(id ? { id } : {}), metadata: {}, source: toSourceLines(source), outputs: [], execution_count: null };
}

export function markdownCell(source: string): NotebookCell {
  return { cell_type: 'markdown', metadata: {}, source: toSourceLines(source) };
}

export function tslabNotebook(cells: NotebookCell[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
    },
    cells: cells.map((cell, i) => ({ id: `cell-${i}`, ...cell })),
  };
}

export function writeTslabNotebook(file: string, cells: NotebookCell[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeNotebook(file, tslabNotebook(cells));
  return file;
}

/**
 * Tests that need Jupyter skip (with the reason) when it is missing on a developer machine; in CI they fail.
 */
export function requireJupyter(ctx: Mocha.Context): void {
  try {
    findJupyterPython();
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    skipBecause(ctx, (error as Error).message);
  }
}

/** A small SVG chart and a PNG made without any library, for display tests. */
export const SVG_CHART =
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">' +
  '<rect x="10" y="60" width="40" height="50" fill="#4c78a8"/><rect x="70" y="30" width="40" height="80" fill="#f58518"/>' +
  '<rect x="130" y="10" width="40" height="100" fill="#54a24b"/><text x="180" y="20">chart</text></svg>';
