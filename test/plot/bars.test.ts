import { strict as assert } from 'node:assert';
import { groupedBarChart, labelledPointsChart } from '../../lib/src/plot';
import { axisTitles, renderClean } from './svg-helpers';

describe('plot: grouped bars and labelled points', () => {
  it('grouped bars: one bar per (group, category), categories in the given order, a legend for several groups', async () => {
    const spec = groupedBarChart(
      { 'small CNN': { cat: 0.4, dog: 0.5, ship: 0.8 }, ResNet: { cat: 0.6, dog: 0.7, ship: 0.9 } },
      { yTitle: 'test accuracy', format: '%', domain: [0, 1] },
    );
    const svg = await renderClean(spec);
    assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, 6);
    assert.deepEqual(axisTitles(svg), ['test accuracy']);
    assert.match(svg, />ResNet</, 'legend names the groups');
    const one = await renderClean(groupedBarChart({ only: { a: 1, b: 2 } }));
    assert.equal((one.match(/aria-roledescription="bar"/g) ?? []).length, 2);
    assert.doesNotMatch(one, />only</, 'no legend for a single group');
  });

  it('grouped bars refuse empty input and non-finite values', () => {
    assert.throws(() => groupedBarChart({}), /no groups/);
    assert.throws(() => groupedBarChart({ a: { x: NaN } }), /a \/ x is NaN/);
  });

  it('labelled points: a dot and a name per point, log x when asked', async () => {
    const points = [
      { label: 'MLP', x: 12, y: 0.5 },
      { label: 'CNN', x: 150, y: 0.7 },
      { label: 'ResNet', x: 900, y: 0.8 },
    ];
    const svg = await renderClean(labelledPointsChart(points, { xTitle: 'training seconds', yTitle: 'test accuracy', logX: true, yFormat: '%' }));
    assert.equal((svg.match(/aria-roledescription="point"/g) ?? []).length, 3);
    for (const { label } of points) assert.match(svg, new RegExp(`>${label}<`));
    assert.deepEqual(axisTitles(svg), ['training seconds', 'test accuracy']);
    assert.throws(() => labelledPointsChart([{ label: 'a', x: 0, y: 1 }], { logX: true }), /not positive on a log axis/);
    assert.throws(() => labelledPointsChart([]), /no points/);
  });
});
