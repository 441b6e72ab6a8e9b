/**
 * Exports executed notebooks to self-contained HTML handouts with nbconvert and the course's `handout` template
 * (the JupyterLab look without require.js, widgets or MathJax from a CDN), then checks that no page would fetch
 * anything, and writes an index page that links the handouts in course order.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeHtml } from '@dl-course/lib/plot';
import { findJupyterPython } from './jupyter-python';
import { externalResources } from './external-resources';
import { typesetHandoutMath } from './handout-math';
import { cellSource, readNotebook } from './notebook-file';
import { sortCourseOrder } from './notebook-list';

const TEMPLATES = path.join(__dirname, 'templates');

export interface Handout {
  notebook: string;
  file: string;
  title: string;
  /** Formulas typeset as MathML, and the TeX KaTeX could not typeset (left as written). */
  mathRendered: number;
  mathFailed: string[];
}

export interface HandoutOptions {
  notebooks: string[];
  outDir: string;
  /** Line shown under the index title, e.g. which profile the notebooks were executed in. */
  note?: string;
}

export async function exportHandouts(options: HandoutOptions): Promise<{ handouts: Handout[]; index: string }> {
  if (options.notebooks.length === 0) throw new Error('no notebooks to export');
  fs.mkdirSync(options.outDir, { recursive: true });
  const notebooks = sortCourseOrder(options.notebooks);
  const names = notebooks.map((nb) => path.basename(nb));
  const clash = names.find((name, i) => names.indexOf(name) !== i);
  if (clash) throw new Error(`two notebooks are named ${clash}; export them into separate folders`);
  await runNbconvert(notebooks, options.outDir);
  const handouts = notebooks.map((notebook) => {
    const file = path.join(options.outDir, `${path.basename(notebook, '.ipynb')}.html`);
    const title = notebookTitle(notebook);
    const exported = fs.readFileSync(file, 'utf8').replace(/<title>[\s\S]*?<\/title>/, `<title>${escapeHtml(title)}</title>`);
    const { html, rendered, failed } = typesetHandoutMath(exported);
    const external = externalResources(html);
    if (external.length > 0) {
      throw new Error(`${path.basename(file)} would load ${external.length} external resource(s): ${external.slice(0, 5).join(', ')}`);
    }
    fs.writeFileSync(file, html);
    return { notebook, file, title, mathRendered: rendered, mathFailed: failed };
  });
  const index = path.join(options.outDir, 'index.html');
  fs.writeFileSync(index, indexPage(handouts, options.note));
  return { handouts, index };
}

/** The first Markdown heading of the notebook, else its file name. */
export function notebookTitle(file: string): string {
  const nb = readNotebook(file);
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const heading = /^#{1,2}\s+(.+)$/m.exec(cellSource(cell));
    if (heading?.[1]) return plainText(heading[1]);
  }
  return path.basename(file, '.ipynb');
}

/** A Markdown heading as plain text: links keep their text; code and emphasis markers go. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]|(?<!\w)_|_(?!\w)/g, '')
    .trim();
}

export function indexPage(handouts: Handout[], note?: string): string {
  const items = handouts
    .map((h) => {
      const name = path.basename(h.file);
      return `  <li><a href="${escapeHtml(encodeURIComponent(name))}">${escapeHtml(h.title)}</a> <span class="file">${escapeHtml(path.basename(h.notebook))}</span></li>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Course handouts</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
li { margin: 0.4rem 0; } .file { color: #777; font-size: 0.85em; margin-left: 0.5em; }
</style></head>
<body>
<h1>Course handouts</h1>
${note ? `<p>${escapeHtml(note)}</p>\n` : ''}<ol>
${items}
</ol>
</body></html>
`;
}

function runNbconvert(notebooks: string[], outDir: string): Promise<void> {
  const args = [
    '-m',
    'nbconvert',
    '--to',
    'html',
    '--template',
    'handout',
    `--TemplateExporter.extra_template_basedirs=${TEMPLATES}`,
    '--HTMLExporter.embed_images=True', // Markdown images and attachments inline, as data URLs
    '--output-dir',
    outDir,
    ...notebooks,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(findJupyterPython(), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`nbconvert failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`)),
    );
  });
}
