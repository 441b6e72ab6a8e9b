import { strict as assert } from 'node:assert';
import { histogramChart } from '../../lib/src/plot';
import { axisTitles, renderClean } from './svg-helpers';

describe('plot: histograms', () => {
  it('bins values into bars whose heights are the counts, one colour per series', async () => {
    // 0..9 in bins of width 5 (maxBins 2): two bars of 5 values each
    const one = await renderClean(histogramChart({ lengths: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }, { maxBins: 2, xTitle: 'tokens' }));
    assert.equal((one.match(/aria-roledescription="bar"/g) ?? []).length, 2);
    assert.deepEqual(axisTitles(one), ['tokens', 'count']);
    assert.match(one, /count: 5/, 'each bar holds five values');
    const two = await renderClean(histogramChart({ train: [1, 2, 2, 3], test: [2, 3, 3, 3, 9] }, { normalize: true }));
    assert.match(two, />train</, 'legend names the series');
    assert.deepEqual(axisTitles(two).slice(-1), ['share']);
  });

  it('refuses empty input', () => {
    assert.throws(() => histogramChart({}), /no series/);
    assert.throws(() => histogramChart({ a: [NaN] }), /"a" has no finite values/);
  });
});
