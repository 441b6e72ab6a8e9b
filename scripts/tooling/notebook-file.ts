/** The parts of the Jupyter notebook format (nbformat 4) the course tooling reads and writes. */
import * as fs from 'node:fs';

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  attachments?: unknown;
}

export interface NotebookOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  [key: string]: unknown;
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: not a readable notebook (${(error as Error).message})`);
  }
  return parseNotebook(text, file);
}

/** A notebook from its JSON text (`file` names it in errors). */
export function parseNotebook(text: string, file: string): Notebook {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not a readable notebook (${(error as Error).message})`);
  }
  const nb = parsed as Partial<Notebook>;
  if (!nb || !Array.isArray(nb.cells) || typeof nb.nbformat !== 'number') {
    throw new Error(`${file}: not a Jupyter notebook (no cells/nbformat)`);
  }
  if (nb.nbformat < 4) throw new Error(`${file}: nbformat ${nb.nbformat} is too old; convert it to nbformat 4`);
  return { metadata: {}, nbformat_minor: 0, ...nb } as Notebook;
}

/** Write with Jupyter's own layout (1-space indent, trailing newline) so diffs stay small. */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
}

export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Split text the way nbformat stores it: lines keeping their newline. */
export function toSourceLines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((line) => line !== '');
}

export function outputText(output: NotebookOutput): string {
  return Array.isArray(output.text) ? output.text.join('') : (output.text ?? '');
}
