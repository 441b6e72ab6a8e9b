import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Resvg } from '@resvg/resvg-js';
import {
  chartMimeBundle,
  DisplaySink,
  encodePng,
  findPlotFonts,
  formatTableCell,
  inTslabKernel,
  lineChart,
  MimeBundle,
  prefixSvgIds,
  readPngSize,
  readSvgSize,
  renderChartPng,
  renderChartSvg,
  saveChart,
  setNotebookDisplaySink,
  showChart,
  showTable,
  tableToHtml,
  tableToText,
  trainingHistoryChart,
  VEGA_LITE_MIME,
} from '../../lib/src/plot';

const spec = lineChart({ train: [3, 2, 1.5, 1.2], test: [3.1, 2.4, 2.0, 1.9] }, { title: 'loss', xTitle: 'epoch', yTitle: 'loss', width: 200, height: 120 });

class RecordingSink implements DisplaySink {
  calls: Array<{ bundle: MimeBundle; displayId?: string; update?: boolean; metadata?: Record<string, unknown> }> = [];
  show(bundle: MimeBundle, options: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> } = {}): void {
    this.calls.push({ bundle, ...options });
  }
}

describe('plot: rendering', () => {
  it('PNG has the SVG size times the scale (IHDR) and text drawn with a system font', async () => {
    const svg = await renderChartSvg(spec);
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    const height = Number(/height="(\d+)"/.exec(svg)![1]);
    const png = await renderChartPng(spec, { scale: 2 });
    assert.deepEqual(readPngSize(png), { width: width * 2, height: height * 2 });
    const one = await renderChartPng(spec, { scale: 1 });
    assert.deepEqual(readPngSize(one), { width, height });
    if (findPlotFonts().fontFileCount > 0) assert.ok(findPlotFonts().sansSerifFamily, 'a sans-serif family was chosen');
  });

  it('our PNG encoder writes files that decode (resvg reads an embedded one back)', async () => {
    const data = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 20) % 256);
    const png = encodePng({ width: 4, height: 3, channels: 3, data });
    assert.deepEqual(readPngSize(png), { width: 4, height: 3 });
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><image width="4" height="3" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
    const pixels = new Resvg(svg, { imageRendering: 1 }).render().pixels; // RGBA
    for (const p of [0, 5, 11]) assert.deepEqual([...pixels.subarray(p * 4, p * 4 + 3)], [...data.subarray(p * 3, p * 3 + 3)], `pixel ${p}`);
    assert.throws(() => encodePng({ width: 4, height: 3, channels: 1, data }), /bytes for 4x3x1/);
    assert.throws(() => readPngSize(Buffer.from('GIF89a............................')), /not a PNG/);
  });

  it('element ids get a per-chart prefix so several inline SVGs in one page do not clash', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"/></svg>';
    const out = prefixSvgIds(svg);
    const id = /id="([^"]+)"/.exec(out)![1];
    assert.notEqual(id, 'clip1');
    assert.ok(out.includes(`url(#${id})`));
    assert.notEqual(prefixSvgIds(svg.replace('<rect/>', '<rect width="2"/>')).match(/id="([^"]+)"/)![1], id);
  });

  it('saveChart writes svg, png and json by extension', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plot-test-'));
    try {
      const svgFile = await saveChart(spec, path.join(dir, 'a.svg'));
      assert.match(fs.readFileSync(svgFile, 'utf8'), /^<svg/);
      const pngFile = await saveChart(spec, path.join(dir, 'a.png'), { scale: 1 });
      assert.ok(readPngSize(fs.readFileSync(pngFile)).width > 200);
      const jsonFile = await saveChart(spec, path.join(dir, 'a.json'));
      assert.deepEqual(JSON.parse(fs.readFileSync(jsonFile, 'utf8')), spec);
      await assert.rejects(saveChart(spec, path.join(dir, 'a.pdf')), /unknown extension/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plot: notebook display', () => {
  let sink: RecordingSink;
  beforeEach(() => setNotebookDisplaySink((sink = new RecordingSink())));
  afterEach(() => setNotebookDisplaySink(null));

  it('is not in a tslab kernel under mocha', () => {
    assert.equal(inTslabKernel(), false);
  });

  it('showChart sends ONE output with SVG, a PNG copy, the vega-lite spec and text, and no HTML', async () => {
    assert.equal(await showChart(spec), null);
    assert.equal(sink.calls.length, 1);
    const { bundle, displayId, metadata } = sink.calls[0];
    assert.equal(displayId, undefined);
    assert.match(bundle['image/svg+xml'] as string, /^<svg/);
    // what Jupyter Notebook draws when it does not trust the notebook: the same chart at the SVG's size
    const svgSize = readSvgSize(bundle['image/svg+xml'] as string);
    const pngSize = readPngSize(Buffer.from(bundle['image/png'] as string, 'base64'));
    assert.deepEqual(pngSize, { width: Math.round(svgSize.width), height: Math.round(svgSize.height) });
    assert.deepEqual(metadata?.['image/png'], { width: Math.round(svgSize.width), height: Math.round(svgSize.height) });
    assert.deepEqual(bundle[VEGA_LITE_MIME], spec);
    assert.match(bundle['text/plain'] as string, /^<loss: \d+x\d+ chart>$/);
    // nbconvert's HTML export prefers text/html over SVG: a chart must not carry HTML
    assert.equal(bundle['text/html'], undefined);
  });

  it('untrustedPng false stores the SVG alone', async () => {
    const { bundle } = await chartMimeBundle(spec, { untrustedPng: false });
    assert.deepEqual(Object.keys(bundle).sort(), [VEGA_LITE_MIME, 'image/svg+xml', 'text/plain'].sort());
  });

  it('format png stores a base64 PNG with its display size; interactive false drops the spec', async () => {
    const { bundle, metadata } = await chartMimeBundle(spec, { format: 'png', interactive: false, scale: 2 });
    const png = Buffer.from(bundle['image/png'] as string, 'base64');
    const size = readPngSize(png);
    const shown = metadata['image/png'] as { width: number; height: number };
    assert.deepEqual(size, { width: shown.width * 2, height: shown.height * 2 });
    assert.equal(bundle['image/svg+xml'], undefined);
    assert.equal(bundle[VEGA_LITE_MIME], undefined);
  });

  it('outside a notebook, showChart writes the SVG file and prints its path', async () => {
    setNotebookDisplaySink(null);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plot-out-'));
    const saved = process.env.PLOT_OUTPUT_DIR;
    process.env.PLOT_OUTPUT_DIR = dir;
    const write = process.stdout.write;
    let printed = '';
    process.stdout.write = ((s: string) => ((printed += s), true)) as typeof process.stdout.write;
    try {
      const file = await showChart(trainingHistoryChart({ loss: [1, 0.5] }, { title: 'Run 1: history' }));
      assert.ok(file && file.startsWith(dir) && file.endsWith('run-1-history.svg'), String(file));
      assert.match(fs.readFileSync(file!, 'utf8'), /^<svg/);
      assert.ok(printed.includes(file!));
    } finally {
      process.stdout.write = write;
      if (saved === undefined) delete process.env.PLOT_OUTPUT_DIR;
      else process.env.PLOT_OUTPUT_DIR = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plot: tables', () => {
  let sink: RecordingSink;
  beforeEach(() => setNotebookDisplaySink((sink = new RecordingSink())));
  afterEach(() => setNotebookDisplaySink(null));

  it('records become an HTML table with escaped cells, and a text table', () => {
    const rows = [{ model: 'mlp <small>', acc: 0.91234567, params: 101770 }, { model: 'cnn', acc: 0.9876, params: 50000, note: 'best' }];
    const html = tableToHtml(rows, { caption: 'Results' });
    assert.match(html, /<th[^>]*>note<\/th>/);
    assert.match(html, /mlp &lt;small&gt;/);
    assert.match(html, />0\.9123</);
    assert.ok(!/<script|https?:/.test(html), 'no script, no external resource');
    const text = tableToText(rows);
    assert.match(text, /\[2 rows x 4 columns\]$/);
    showTable(rows);
    assert.equal(sink.calls.length, 1);
    assert.ok(sink.calls[0].bundle['text/html'] && sink.calls[0].bundle['text/plain']);
  });

  it('numbers keep 4 significant digits with trailing zeros, so decimals line up', () => {
    assert.deepEqual([0.406, 0.3697, 12345.678, 3.4, 1.5e-7, 42, NaN].map((v) => formatTableCell(v)), ['0.4060', '0.3697', '12346', '3.400', '1.500e-7', '42', 'NaN']);
    // records get no row numbers unless asked; DataFrames keep their index (next test)
    assert.ok(!tableToText([{ a: 1 }]).startsWith(' '));
    assert.match(tableToText([{ a: 1 }], { showIndex: true }), /^\s+a\n0  1/);
  });

  it('a danfojs DataFrame shows its columns and index, long tables elide the middle', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const dfd = require('danfojs-node');
    const df = new dfd.DataFrame({ x: Array.from({ length: 50 }, (_, i) => i), label: Array.from({ length: 50 }, (_, i) => (i % 2 ? 'odd' : 'even')) });
    const html = tableToHtml(df, { maxRows: 6 });
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 6 + 1);
    assert.match(html, />49</);
    assert.match(html, />…</);
    assert.match(html, /50 rows × 2 columns/);
    const series = tableToText(df.column('x'), { maxRows: 4 });
    assert.match(series, /\[50 rows x 1 columns\]/);
  });
});
