/**
 * A real browser opens exported handouts: the charts show (non-zero size, drawn pixels, screenshot), TeX is typeset
 * as MathML, and the page makes no request at all beyond its own file. Set HANDOUTS_DIR to also check every handout in that folder (CI does, after
 * `npm run handouts`).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { exportHandouts } from '../../scripts/tooling/handouts';
import { runNotebook } from '../../scripts/tooling/run-notebook';
import { codeCell, markdownCell, requireJupyter, ROOT, scratchDir, SVG_CHART, writeTslabNotebook } from '../tooling/helpers';
import { launchChromium, requireChromium } from './chromium';
import { ChartMeasure, measureCharts } from './page-checks';
import { skipBecause } from '../skip-reasons';
import { encodePng } from '../../lib/src/plot';

interface PageCheck {
  requests: string[];
  charts: ChartMeasure[];
  highlightedTokens: number;
  formulas: { width: number; height: number }[];
  markdownText: string;
}

/** Open a page from disk, record every request other than the page itself, and measure its charts. */
async function inspectPage(context: BrowserContext, file: string, screenshot?: string): Promise<PageCheck> {
  const page: Page = await context.newPage();
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  const charts = await measureCharts(page, '.jp-OutputArea-output img, .jp-OutputArea-output svg');
  const highlightedTokens = await page.$$eval('.highlight span', (spans) => spans.length);
  const formulas = await page.$$eval('.jp-RenderedMarkdown math', (maths) =>
    maths.map((m) => ({ width: m.getBoundingClientRect().width, height: m.getBoundingClientRect().height })),
  );
  // The Markdown text outside formulas (a <math> keeps its TeX source in a hidden annotation).
  const markdownText = await page.$$eval('.jp-RenderedMarkdown', (divs) =>
    divs
      .map((d) => {
        const copy = d.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('math').forEach((m) => m.remove());
        return copy.textContent ?? '';
      })
      .join('\n'),
  );
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { requests, charts, highlightedTokens, formulas, markdownText };
}

describe('HTML handouts in a real browser (Chromium)', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let dir: string;
  let handoutFile: string;
  let indexFile: string;

  before(async function () {
    const executable = requireChromium(this);
    requireJupyter(this);
    dir = scratchDir('handout');
    // A gradient image: red grows to the right, green downwards.
    const pixels = new Uint8Array(160 * 90 * 3);
    for (let y = 0; y < 90; y++) for (let x = 0; x < 160; x++) pixels.set([x, y * 2, 200], (y * 160 + x) * 3);
    const png = encodePng({ width: 160, height: 90, channels: 3, data: pixels }).toString('base64');
    const source = writeTslabNotebook(path.join(dir, '01-charts.ipynb'), [
      markdownCell(
        '# Charts in a handout\n\nOne SVG chart and one PNG chart. Energy $E = mc^2$, and a sum:\n\n' +
          '$$\\sum_{i=1}^{n} x_i^2$$\n\nCode stays code: `${total}` costs $5 and $10.',
      ),
      codeCell(`import * as tslab from 'tslab';\ntslab.display.svg(${JSON.stringify(SVG_CHART)});`),
      codeCell(`tslab.display.png(new Uint8Array(Buffer.from('${png}', 'base64')));`),
      codeCell('const total: number = [1, 2, 3].reduce((s, x) => s + x, 0);\nconsole.log(`total = ${total}`);'),
    ]);
    const executed = path.join(dir, 'executed', '01-charts.ipynb');
    const run = await runNotebook({ input: source, output: executed, cellTimeoutSeconds: 60, notebookTimeoutSeconds: 120 });
    assert.equal(run.status, 'ok', `the chart notebook must run: ${run.error}`);
    const exported = await exportHandouts({ notebooks: [executed], outDir: path.join(dir, 'handouts') });
    handoutFile = exported.handouts[0]!.file;
    indexFile = exported.index;
    browser = await launchChromium(executable);
  });

  after(async () => {
    await browser?.close();
  });

  it('shows both charts with a real size, highlighted code, and makes zero requests', async () => {
    const screenshot = path.join(dir, 'handout.png');
    const check = await inspectPage(browser!.context, handoutFile, screenshot);
    assert.deepEqual(check.requests, [], 'no network (or file) requests');
    assert.equal(check.charts.length, 2, 'the SVG chart and the PNG chart');
    for (const chart of check.charts) {
      assert.ok(chart.width > 50 && chart.height > 30, `visible size: ${JSON.stringify(chart)}`);
      // Bars of the SVG cover ~20% of its box; the PNG gradient all of it. A blank or stripped chart has ~0.
      assert.ok(chart.inkPixels > 0.1 * chart.width * chart.height, `drawn, not blank: ${JSON.stringify(chart)}`);
    }
    assert.ok(check.highlightedTokens > 10, `code is highlighted (${check.highlightedTokens} tokens)`);
    assert.equal(check.formulas.length, 2, 'inline and display math typeset');
    for (const f of check.formulas) assert.ok(f.width > 10 && f.height > 5, `formula drawn: ${JSON.stringify(f)}`);
    assert.match(check.markdownText, /Code stays code: \$\{total\} costs \$5 and \$10\./);
    assert.doesNotMatch(check.markdownText, /mc\^2|\\sum/, 'no raw TeX left');
    assert.ok(fs.statSync(screenshot).size > 5000, 'the screenshot has content');
  });

  it('links the handouts from the index page', async () => {
    const page = await browser!.context.newPage();
    await page.goto(pathToFileURL(indexFile).href);
    const links = await page.$$eval('a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(links, [['Charts in a handout', '01-charts.html']]);
    await page.click('text=Charts in a handout');
    assert.equal(await page.title(), 'Charts in a handout');
    await page.close();
  });

  it('checks every handout in HANDOUTS_DIR when set', async function () {
    const folder = process.env.HANDOUTS_DIR;
    if (!folder) skipBecause(this, 'HANDOUTS_DIR is not set (CI sets it to out/handouts)');
    const files = fs.readdirSync(path.resolve(ROOT, folder)).filter((f) => f.endsWith('.html'));
    assert.ok(files.length > 0, `${folder} has no handouts`);
    for (const name of files) {
      const check = await inspectPage(browser!.context, path.resolve(ROOT, folder, name));
      assert.deepEqual(check.requests, [], `${name} makes no requests`);
      for (const chart of check.charts) {
        assert.ok(chart.width > 0 && chart.height > 0, `${name}: a ${chart.tag} chart has zero size`);
        assert.ok(chart.inkPixels > 0, `${name}: a ${chart.tag} chart is blank`);
      }
    }
  });
});
