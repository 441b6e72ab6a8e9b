/**
 * Executed notebooks opened the way instructors and graders open them: in the classic Jupyter Notebook UI, NOT trusted
 * (a copy made by a script or on another machine is never signed here). Jupyter then draws no SVG, so every chart must
 * carry a format it does draw. The test executes a notebook of course charts headlessly, opens the executed copy
 * without running or trusting it, and counts the charts actually drawn. EXECUTED_NOTEBOOKS (a folder relative to the
 * project root; CI passes out/executed after `npm run execute`) adds every executed notebook in it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { runNotebook } from '../../scripts/tooling/run-notebook';
import { codeCell, markdownCell, requireJupyter, ROOT, scratchDir, writeTslabNotebook } from '../tooling/helpers';
import { launchChromium, requireChromium } from './chromium';
import { startNotebookServer, NotebookServer } from './jupyter-server';
import { ChartMeasure, measureCharts } from './page-checks';
import { skipBecause } from '../skip-reasons';

const CHART_MIMES = ['image/svg+xml', 'image/png', 'application/vnd.vegalite.v5+json'];

interface UntrustedView {
  trusted: boolean;
  /** Outputs that hold a chart, as stored in the notebook. */
  chartOutputs: number;
  /** Chart placeholders ("<title: WxH chart>") that the page shows as text instead of a picture. */
  chartsShownAsText: string[];
  drawn: ChartMeasure[];
}

/** Open a notebook in the UI without running or trusting it, and measure what it shows. */
async function openUntrusted(page: Page, server: NotebookServer, relativePath: string): Promise<UntrustedView> {
  await page.goto(`${server.url}/notebooks/${relativePath.split(path.sep).map(encodeURIComponent).join('/')}`);
  await page.waitForFunction(() => !!(window as unknown as { Jupyter?: { notebook?: { _fully_loaded?: boolean } } }).Jupyter?.notebook?._fully_loaded, undefined, {
    timeout: 60_000,
    polling: 250,
  });
  const model = await page.evaluate((chartMimes) => {
    type Output = { data?: Record<string, unknown> };
    const nb = (window as unknown as { Jupyter: { notebook: { trusted: boolean; get_cells(): { output_area?: { outputs: Output[] } }[] } } }).Jupyter.notebook;
    const outputs = nb.get_cells().flatMap((c) => c.output_area?.outputs ?? []);
    const chartOutputs = outputs.filter((o) => Object.keys(o.data ?? {}).some((m) => chartMimes.includes(m))).length;
    const chartsShownAsText = Array.from(document.querySelectorAll('.output_subarea'))
      .map((el) => el.textContent ?? '')
      .filter((text) => /^<.*: \d+x\d+ chart>$/.test(text.trim()));
    return { trusted: nb.trusted, chartOutputs, chartsShownAsText };
  }, CHART_MIMES);
  const drawn = (await measureCharts(page, '.output_subarea svg, .output_subarea img')).filter((c) => c.width > 0 && c.height > 0);
  return { ...model, drawn };
}

function assertEveryChartDrawn(name: string, view: UntrustedView): void {
  assert.equal(view.trusted, false, `${name} must open untrusted for this check`);
  assert.deepEqual(view.chartsShownAsText, [], `${name}: charts shown as text`);
  assert.equal(view.drawn.length, view.chartOutputs, `${name}: ${view.chartOutputs} chart outputs, ${view.drawn.length} drawn`);
  for (const chart of view.drawn) assert.ok(chart.inkPixels > 0, `${name}: a ${chart.tag} chart is blank`);
}

describe('Executed notebooks opened untrusted in Jupyter Notebook draw every chart (Chromium)', function () {
  this.timeout(600_000);
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let server: NotebookServer | undefined;
  let dir: string;
  let executed: string;

  before(async function () {
    const executable = requireChromium(this);
    requireJupyter(this);
    assert.ok(fs.existsSync(path.join(ROOT, 'lib', 'dist', 'index.js')), 'the library must be built (npm run build)');
    dir = scratchDir('untrusted-charts');
    // A chart, a grid of charts, and a training run's live loss chart (only its final draw is stored).
    const source = writeTslabNotebook(path.join(dir, 'charts.ipynb'), [
      markdownCell('# Course charts'),
      codeCell("import * as course from '@dl-course/lib';\nimport { tf } from '@dl-course/lib';"),
      codeCell("await course.showChart(course.lineChart({ train: [3, 2, 1.5], test: [3.2, 2.5, 2.1] }, { title: 'loss' }));"),
      codeCell(
        "const grid: course.ChartSpec = course.chartGrid([course.activationFunctionsChart(['relu', 'tanh']), course.confusionMatrixChart([[5, 1], [2, 7]])], { columns: 2 });\nawait course.showChart(grid);",
      ),
      codeCell(
        [
          'const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });',
          "model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });",
          'const history = await model.fit(tf.randomNormal([32, 2], 0, 1, "float32", 1), tf.zeros([32, 1]), { epochs: 3, verbose: 0, callbacks: course.trainingFeedback() });',
          'console.log(history.epoch.length);',
        ].join('\n'),
      ),
    ]);
    executed = path.join(dir, 'executed', 'charts.ipynb');
    const run = await runNotebook({ input: source, output: executed, cellTimeoutSeconds: 120, notebookTimeoutSeconds: 300, env: { COURSE_PROFILE: 'smoke' } });
    assert.equal(run.status, 'ok', `the chart notebook must run: ${run.error}`);
    server = await startNotebookServer(ROOT, { COURSE_PROFILE: 'smoke', COURSE_RESULTS_DIR: path.join(dir, 'results') });
    browser = await launchChromium(executable);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the charts of a headlessly executed notebook of course charts', async () => {
    const page = await browser!.context.newPage();
    try {
      const view = await openUntrusted(page, server!, path.relative(ROOT, executed));
      assert.equal(view.chartOutputs, 3, 'a line chart, a grid and the final live loss chart');
      assertEveryChartDrawn('charts.ipynb', view);
      await page.screenshot({ path: path.join(dir, 'untrusted.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('draws every chart of each executed notebook in EXECUTED_NOTEBOOKS when set', async function () {
    const folder = process.env.EXECUTED_NOTEBOOKS;
    if (!folder) skipBecause(this, 'EXECUTED_NOTEBOOKS is not set (CI sets it to out/executed)');
    const full = path.resolve(ROOT, folder);
    const files = fs.readdirSync(full).filter((f) => f.endsWith('.ipynb'));
    assert.ok(files.length > 0, `${folder} has no executed notebooks`);
    let charts = 0;
    const copies = path.join(dir, 'from-env');
    fs.mkdirSync(copies, { recursive: true });
    for (const name of files) {
      // opened from a copy: the UI writes checkpoints beside what it opens
      fs.copyFileSync(path.join(full, name), path.join(copies, name));
      const page = await browser!.context.newPage();
      try {
        const view = await openUntrusted(page, server!, path.relative(ROOT, path.join(copies, name)));
        assertEveryChartDrawn(name, view);
        charts += view.drawn.length;
        console.log(`      ${name}: ${view.drawn.length} of ${view.chartOutputs} charts drawn, untrusted`);
      } finally {
        await page.close();
      }
    }
    assert.ok(charts > 0, `no chart at all in ${folder}`);
  });
});
