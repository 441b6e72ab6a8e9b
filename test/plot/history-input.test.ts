import { strict as assert } from 'node:assert';
import { historyToRows, trainingHistoryChart } from '../../lib/src/plot';
import { renderClean } from './svg-helpers';

describe('plot: training history from fitModel', () => {
  // the shape of the train module's TrainingHistory (only the fields the chart reads)
  const history = {
    epochs: [0, 1, 2].map((epoch) => ({
      epoch,
      loss: 1 / (epoch + 1),
      metrics: { acc: 0.5 + 0.1 * epoch },
      valLoss: 1.2 / (epoch + 1),
      valMetrics: { acc: 0.45 + 0.1 * epoch },
    })),
  };

  it('turns epoch records into train and validation rows, epochs counted from 1', () => {
    const rows = historyToRows(history);
    assert.equal(rows.length, 12);
    assert.deepEqual(rows.filter((r) => r.metric === 'acc' && r.split === 'validation').map((r) => r.epoch), [1, 2, 3]);
    assert.equal(rows.find((r) => r.metric === 'loss' && r.split === 'validation' && r.epoch === 2)?.value, 0.6);
  });

  it('charts it like a TF.js History', async () => {
    const svg = await renderClean(trainingHistoryChart(history, { title: 'from fitModel' }));
    assert.ok(svg.includes('from fitModel'));
  });

  it('leaves out validation when there was none', () => {
    const rows = historyToRows({ epochs: [{ epoch: 0, loss: 0.5, metrics: {} }] });
    assert.deepEqual(rows, [{ epoch: 1, metric: 'loss', split: 'train', value: 0.5 }]);
  });
});
