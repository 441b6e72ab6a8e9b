/**
 * The plot gallery notebook executed headlessly with nbconvert (slow, ~1 min: runs only with PLOT_GALLERY=1).
 * Checks that every chart is stored as a static image in the executed .ipynb, that the HTML export inlines
 * them, and that no output needs a network request. Needs `npm run build` first (the notebook imports the package).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findJupyterPython } from '../../scripts/tooling/jupyter-python';
import { skipBecause } from '../skip-reasons';
import { externalResources } from '../../scripts/tooling/external-resources';

const ROOT = path.resolve(__dirname, '..', '..');
const GALLERY = path.join(ROOT, 'notebooks', 'plot-gallery.ipynb');

type Output = { output_type: string; data?: Record<string, unknown>; text?: string | string[]; ename?: string };
type Cell = { cell_type: string; source: string | string[]; outputs?: Output[] };
const joined = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');

describe('plot: gallery notebook executed headlessly (PLOT_GALLERY=1)', function () {
  this.timeout(600_000);
  let dir: string;
  let cells: Cell[];

  before(function () {
    if (process.env.PLOT_GALLERY !== '1') skipBecause(this, 'runs only with PLOT_GALLERY=1 (about a minute, needs Jupyter)');
    assert.ok(fs.existsSync(path.join(ROOT, 'lib', 'dist', 'index.js')), 'build the library first (npm run build)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plot-gallery-'));
    const python = findJupyterPython();
    execFileSync(python, ['-m', 'nbconvert', '--to', 'notebook', '--execute', GALLERY, '--output-dir', dir, '--ExecutePreprocessor.timeout=600'], {
      stdio: 'pipe',
    });
    cells = JSON.parse(fs.readFileSync(path.join(dir, 'plot-gallery.ipynb'), 'utf8')).cells;
  });

  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('stores a static image for every chart, and one final live chart per training', () => {
    let expected = 0;
    let stored = 0;
    for (const cell of cells.filter((c) => c.cell_type === 'code')) {
      const source = joined(cell.source);
      const outputs = cell.outputs ?? [];
      assert.deepEqual(outputs.filter((o) => o.output_type === 'error').map((o) => o.ename), [], source.slice(0, 80));
      const images = outputs.filter((o) => o.data && ('image/svg+xml' in o.data || 'image/png' in o.data)).length;
      const skipped = outputs.some((o) => /DATASETS_DIR is not set/.test(joined(o.text)));
      const charts = (source.match(/showChart\(/g) ?? []).length + (source.match(/trainingFeedback\(/g) ?? []).length;
      if (!skipped) {
        assert.equal(images, charts, `images stored by: ${source.slice(0, 80)}`);
        expected += charts;
      }
      stored += images;
    }
    assert.equal(stored, expected);
    assert.ok(stored >= 12, `only ${stored} charts`);
  });

  it('outputs need nothing from the network', () => {
    for (const cell of cells) {
      for (const o of cell.outputs ?? []) {
        for (const mime of ['image/svg+xml', 'text/html']) {
          const content = joined(o.data?.[mime] as string | string[] | undefined);
          if (content) assert.deepEqual(externalResources(content), [], `${mime} output fetches something`);
        }
      }
    }
  });

  it('the HTML export inlines every chart as SVG', () => {
    const python = findJupyterPython();
    execFileSync(python, ['-m', 'nbconvert', '--to', 'html', path.join(dir, 'plot-gallery.ipynb'), '--output-dir', dir], { stdio: 'pipe' });
    const html = fs.readFileSync(path.join(dir, 'plot-gallery.html'), 'utf8');
    const svgOutputs = cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && 'image/svg+xml' in o.data).length;
    assert.equal((html.match(/data-mime-type="image\/svg\+xml"/g) ?? []).length, svgOutputs);
    assert.ok((html.match(/<svg\b/g) ?? []).length >= svgOutputs);
  });
});
