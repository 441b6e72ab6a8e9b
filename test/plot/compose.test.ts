import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { PATH_COLORS, chartGrid, decisionBoundaryChart, heatmapWithPathChart, lineChart } from '../../lib/src/plot';
import { countMarkItems, renderClean } from './svg-helpers';

describe('plot: chartGrid', () => {
  const points = [[0, 0], [1, 1], [0, 1], [1, 0]];
  const labels = [0, 1, 0, 1];
  // two models that disagree everywhere: all class 0, all class 1
  const constant = (p: number) => (grid: tf.Tensor2D) => tf.fill([grid.shape[0], 1], p);

  it('keeps each chart its own background (vega-lite would merge same-named views)', async () => {
    const charts = [0.1, 0.9].map((p, i) =>
      decisionBoundaryChart(points, { labels, model: constant(p), gridSize: 8, title: `model ${i}`, width: 80, height: 80 }),
    );
    const svg = await renderClean(chartGrid(charts, { title: 'two models', columns: 2 }));
    assert.equal(countMarkItems(svg, 'chart1_boundary'), 1);
    assert.equal(countMarkItems(svg, 'chart2_boundary'), 1);
    const images = [...svg.matchAll(/<image[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(images.length, 2);
    assert.notEqual(images[0], images[1], 'the two panels show the same background');
    assert.ok(svg.includes('model 0') && svg.includes('model 1') && svg.includes('two models'));
  });

  it('keeps the series of a line chart next to a classifier chart (independent colour scales by default)', async () => {
    const boundary = decisionBoundaryChart(points, { labels, model: constant(0.9), gridSize: 4 });
    const lines = lineChart({ first: [1, 2, 3], second: [3, 2, 1] });
    const svg = await renderClean(chartGrid([lines, boundary]));
    assert.ok(svg.includes('>first<') && svg.includes('>second<'), 'the line chart lost its legend');
    const strokes = [...svg.matchAll(/<path[^>]*aria-roledescription="line mark"[^>]*stroke="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(strokes).size, 2, `two lines in two colours, got ${strokes}`);
    const shared = chartGrid([boundary, boundary], { shareColors: true }) as { resolve?: unknown };
    assert.equal(shared.resolve, undefined);
  });

  it('a loss chart can use the colours of the descent paths it sits next to', async () => {
    const paths = { slow: [[0, 0], [0.1, 0.1]], fast: [[0, 0], [0.5, 0.5]] };
    const surface = heatmapWithPathChart({ z: (x, y) => x * x + y * y, xRange: [-1, 1], yRange: [-1, 1], resolution: 4, paths });
    const losses = lineChart({ slow: [2, 1.9], fast: [2, 0.5] }, { colors: PATH_COLORS });
    const svg = await renderClean(chartGrid([surface, losses]));
    const strokes = [...svg.matchAll(/<path[^>]*aria-roledescription="line mark"[^>]*stroke="([^"]+)"/g)].map((m) => m[1]);
    // two path lines on the surface and two loss lines, each pair in PATH_COLORS[0] and PATH_COLORS[1]
    assert.deepEqual([...new Set(strokes)].sort(), [PATH_COLORS[0], PATH_COLORS[1]].sort());
    assert.equal(strokes.length, 4);
  });

  it('rejects an empty list and a bad column count', () => {
    assert.throws(() => chartGrid([]), /no charts/);
    const chart = decisionBoundaryChart(points, { labels });
    assert.throws(() => chartGrid([chart], { columns: 0 }), /columns/);
  });
});
