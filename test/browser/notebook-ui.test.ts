/**
 * The classic Jupyter Notebook web UI (Debian's jupyter-notebook) in headless Chromium: open a course notebook,
 * run all cells with the TypeScript kernel, and check the outputs and a chart in the page. Course notebooks are
 * copied into a scratch folder first, so nothing the UI saves can touch the course's files. The first numbered course
 * notebook runs by default; UI_NOTEBOOKS (comma-separated, relative to the project root) adds more.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { codeCell, markdownCell, requireJupyter, ROOT, scratchDir, SVG_CHART, writeTslabNotebook } from '../tooling/helpers';
import { launchChromium, requireChromium } from './chromium';
import { startNotebookServer, NotebookServer } from './jupyter-server';
import { courseNotebooks } from '../../scripts/tooling/notebook-list';
import { measureCharts } from './page-checks';

const RUN_LIMIT_MS = 240_000;

interface UiRun {
  outputs: { cell: number; type: string; name?: string; text?: string; mimes: string[] }[];
  unfinished: number[];
}

/** Open a notebook, wait for its kernel, run every cell, wait until none is pending, and read the outputs. */
async function runInUi(page: Page, server: NotebookServer, relativePath: string): Promise<UiRun> {
  await page.goto(`${server.url}/notebooks/${relativePath.split(path.sep).map(encodeURIComponent).join('/')}`);
  await page.waitForFunction(
    () => {
      const w = window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } };
      return !!w.Jupyter?.notebook?.kernel?.is_connected();
    },
    undefined,
    { timeout: 60_000, polling: 250 },
  );
  await page.evaluate(() => {
    const nb = (window as unknown as { Jupyter: { notebook: { set_autosave_interval(n: number): void; execute_all_cells(): void } } }).Jupyter.notebook;
    nb.set_autosave_interval(0);
    nb.execute_all_cells();
  });
  type Cell = { cell_type: string; input_prompt_number?: number | string | null; output_area: { outputs: { output_type: string; name?: string; text?: string; data?: Record<string, unknown> }[] } };
  // Done when no cell waits ('*') and the kernel is idle; tslab clears the queue after an error.
  await page.waitForFunction(
    () => {
      const w = window as unknown as { Jupyter: { notebook: { get_cells(): Cell[]; kernel_busy?: boolean } } };
      const cells = w.Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
      return idle && cells.every((c) => c.input_prompt_number !== '*');
    },
    undefined,
    { timeout: RUN_LIMIT_MS, polling: 500 },
  );
  return page.evaluate(() => {
    const w = window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } };
    const cells = w.Jupyter.notebook.get_cells();
    const outputs = cells.flatMap((c, i) =>
      c.cell_type === 'code'
        ? c.output_area.outputs.map((o) => ({
            cell: i,
            type: o.output_type,
            name: o.name,
            text: typeof o.text === 'string' ? o.text : undefined,
            mimes: Object.keys(o.data ?? {}),
          }))
        : [],
    );
    const unfinished = cells
      .map((c, i) => (c.cell_type === 'code' && typeof c.input_prompt_number !== 'number' ? i : -1))
      .filter((i) => i >= 0);
    return { outputs, unfinished };
  });
}

describe('Jupyter Notebook web UI runs course notebooks (Chromium)', function () {
  this.timeout(RUN_LIMIT_MS + 120_000);
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let server: NotebookServer | undefined;
  let dir: string;

  before(async function () {
    const executable = requireChromium(this);
    requireJupyter(this);
    assert.ok(fs.existsSync(path.join(ROOT, 'lib', 'dist', 'index.js')), 'the library must be built (npm run build)');
    dir = scratchDir('notebook-ui');
    // Smoke profile, and whatever the notebooks record stays in the scratch folder.
    server = await startNotebookServer(ROOT, { COURSE_PROFILE: 'smoke', COURSE_RESULTS_DIR: path.join(dir, 'results') });
    browser = await launchChromium(executable);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('runs a notebook that uses the course library and shows its text output and an SVG chart', async () => {
    const file = writeTslabNotebook(path.join(dir, 'ui-check.ipynb'), [
      markdownCell('# UI check'),
      codeCell("import * as course from '@dl-course/lib';\nimport * as tslab from 'tslab';\nconsole.log(`profile=${course.courseProfile()}`);"),
      codeCell(`tslab.display.svg(${JSON.stringify(SVG_CHART)});`),
    ]);
    const page = await browser!.context.newPage();
    const run = await runInUi(page, server!, path.relative(ROOT, file));
    assert.deepEqual(run.unfinished, [], `every cell ran: ${JSON.stringify(run.outputs)}`);
    assert.ok(run.outputs.some((o) => o.type === 'stream' && o.text?.includes('profile=smoke')), JSON.stringify(run.outputs));
    const charts = await measureCharts(page, '.output_subarea svg, .output_subarea img');
    assert.equal(charts.length, 1, JSON.stringify(charts));
    assert.ok(charts[0]!.inkPixels > 0.1 * charts[0]!.width * charts[0]!.height, JSON.stringify(charts));
    await page.screenshot({ path: path.join(dir, 'ui-check.png'), fullPage: true });
    await page.close();
  });

  // The first numbered course notebook (00-setup), plus any named in UI_NOTEBOOKS (CI adds the plot gallery).
  const first = courseNotebooks(ROOT).slice(0, 1).map((file) => path.relative(ROOT, file));
  const extra = (process.env.UI_NOTEBOOKS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const relative of [...new Set([...first, ...extra])]) {
    it(`runs ${relative} in the UI: every cell finishes without errors and its charts show`, async () => {
      // A copy in the scratch folder (inside the project, so package imports resolve the same way).
      const copy = path.join(dir, path.basename(relative));
      fs.copyFileSync(path.join(ROOT, relative), copy);
      const page = await browser!.context.newPage();
      try {
        const run = await runInUi(page, server!, path.relative(ROOT, copy));
        const errors = run.outputs.filter((o) => o.type === 'error' || (o.name === 'stderr' && /Error/.test(o.text ?? '')));
        assert.deepEqual(errors, [], 'no cell failed');
        // tslab drops the queue after a failing cell; its message (e.g. a type error) is the last stderr output.
        const stderr = run.outputs.filter((o) => o.name === 'stderr').map((o) => `cell ${o.cell}: ${o.text}`);
        assert.deepEqual(run.unfinished, [], `every cell ran; stderr: ${stderr.join(' | ').slice(0, 1500)}`);
        assert.ok(run.outputs.length > 0, 'the notebook shows outputs');
        const charts = await measureCharts(page, '.output_subarea svg, .output_subarea img');
        assert.ok(charts.length > 0, 'at least one chart');
        for (const chart of charts) assert.ok(chart.inkPixels > 0, `a ${chart.tag} chart is blank`);
        await page.screenshot({ path: path.join(dir, `${path.basename(relative, '.ipynb')}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    });
  }
});
