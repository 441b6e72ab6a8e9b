import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import {
  DisplaySink,
  FitProgressCallback,
  LiveLossChartCallback,
  MimeBundle,
  setNotebookDisplaySink,
  trainingFeedback,
} from '../../lib/src/plot';

class RecordingSink implements DisplaySink {
  calls: Array<{ bundle: MimeBundle; displayId?: string; update?: boolean }> = [];
  show(bundle: MimeBundle, options: { displayId?: string; update?: boolean } = {}): void {
    this.calls.push({ bundle, ...options });
  }
}

class FakeStream {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

/** A tiny regression fit: 64 samples, batch 16 -> 4 batches per epoch. */
async function fitTiny(callbacks: tf.Callback[], epochs = 3): Promise<tf.History> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mae'] });
  const x = tf.randomNormal([64, 2], 0, 1, 'float32', 7);
  const y = x.sum(1, true);
  try {
    return await model.fit(x, y, { epochs, batchSize: 16, validationSplit: 0.25, callbacks, verbose: 0 });
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

describe('plot: training feedback callbacks', () => {
  afterEach(() => setNotebookDisplaySink(null));

  it('terminal without a TTY: one line per epoch with metrics and ETA, then a summary', async () => {
    const stream = new FakeStream(false);
    await fitTiny([new FitProgressCallback({ mode: 'terminal', stream })]);
    const lines = stream.text.trim().split('\n');
    assert.equal(lines.length, 4, stream.text);
    assert.match(lines[0], /^epoch 1\/3 · batch 3\/3 · loss \d+\.\d{4} · mae \d+\.\d{4} · val_loss \d+\.\d{4} · val_mae \d+\.\d{4} · [\d.]+s elapsed · ETA [\d.]+s$/);
    assert.match(lines[2], /^epoch 3\/3 .* ETA 0\.0s$/);
    assert.match(lines[3], /^done: 3 epochs in /);
    assert.ok(!stream.text.includes('\r'));
  });

  it('fitDataset with no batch count: epochs only, ETA from epoch times once an epoch is done', async () => {
    const stream = new FakeStream(false);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    // a generator's size is unknown to TF.js, so fit cannot tell the callbacks how many batches an epoch has
    const dataset = tf.data.generator(function* () {
      for (let b = 0; b < 4; b++) yield { xs: tf.randomNormal([10, 2]), ys: tf.randomNormal([10, 1]) };
    });
    await model.fitDataset(dataset, { epochs: 2, callbacks: [new FitProgressCallback({ mode: 'terminal', stream })], verbose: 0 });
    model.dispose();
    const lines = stream.text.trim().split('\n');
    assert.match(lines[0], /^epoch 1\/2 · loss \d+\.\d{4} · [\d.]+s elapsed · ETA [\d.]+s$/);
    assert.match(lines[2], /^done: 2 epochs/);
  });

  it('terminal on a narrow TTY: lines are cut to the width so \\r can redraw them', async () => {
    const stream = Object.assign(new FakeStream(true), { columns: 40 });
    await fitTiny([new FitProgressCallback({ mode: 'terminal', stream, throttleMs: 0 })], 1);
    const drawn = stream.text.split(/[\r\n]/).filter(Boolean);
    assert.ok(drawn.length >= 3);
    assert.ok(drawn.slice(0, -1).every((l) => l.length <= 39), JSON.stringify(drawn));
  });

  it('terminal on a TTY: a \\r-updated bar during epochs, a newline at each epoch end', async () => {
    const stream = new FakeStream(true);
    await fitTiny([new FitProgressCallback({ mode: 'terminal', stream, throttleMs: 0 })], 2);
    assert.ok((stream.text.match(/\r/g) ?? []).length >= 6, 'redrawn after batches');
    assert.match(stream.text, /\r\[=+>? *\] epoch 1\/2 · batch 1\/3 · loss/);
    assert.match(stream.text, /\r\[=+\] epoch 2\/2 · batch 3\/3 .*\n/);
  });

  it('notebook: one display entry updated in place, ending with a table of epochs', async () => {
    const sink = new RecordingSink();
    setNotebookDisplaySink(sink);
    await fitTiny([new FitProgressCallback({ throttleMs: 0, title: 'tiny fit' })]);
    assert.ok(sink.calls.length >= 4);
    const ids = new Set(sink.calls.map((c) => c.displayId));
    assert.equal(ids.size, 1);
    assert.equal(sink.calls[0].update, false);
    assert.ok(sink.calls.slice(1).every((c) => c.update === true));
    const last = sink.calls[sink.calls.length - 1].bundle;
    assert.match(last['text/html'] as string, /<progress value="1\.0000"/);
    assert.match(last['text/html'] as string, /done: 3 epochs/);
    assert.equal(((last['text/html'] as string).match(/<tr>/g) ?? []).length, 1 + 3);
    assert.match(last['text/plain'] as string, /val_loss/);
  });

  it('each fit gets its own display entry, also when the callbacks are reused', async () => {
    const sink = new RecordingSink();
    setNotebookDisplaySink(sink);
    const callbacks = trainingFeedback();
    await fitTiny(callbacks, 1);
    await fitTiny(callbacks, 1);
    const ids = new Set(sink.calls.map((c) => c.displayId));
    assert.equal(ids.size, 4, 'progress and chart, twice');
    const firstOfEach = [...ids].map((id) => sink.calls.find((c) => c.displayId === id)!);
    assert.ok(firstOfEach.every((c) => c.update === false));
  });

  it('live chart: throttled to one final chart when epochs are fast, in its own display entry', async () => {
    const sink = new RecordingSink();
    setNotebookDisplaySink(sink);
    const chart = new LiveLossChartCallback({ minIntervalMs: 60_000 });
    await fitTiny([chart], 4);
    assert.equal(chart.draws, 1);
    assert.equal(sink.calls.length, 1);
    const bundle = sink.calls[0].bundle;
    assert.match(bundle['image/svg+xml'] as string, /^<svg/);
    assert.ok(bundle['application/vnd.vegalite.v5+json'], 'the final chart carries the interactive spec');
    const epochPoints = chart.curve.filter((p) => p.split !== 'batch');
    // loss, mae, val_loss, val_mae for 4 epochs
    assert.equal(epochPoints.length, 16);
    assert.ok(chart.curve.some((p) => p.split === 'batch' && p.epoch < 1), 'batch-level points within the first epoch');
  });

  it('live chart redraws during training when allowed, always under the same display id', async () => {
    const sink = new RecordingSink();
    setNotebookDisplaySink(sink);
    const chart = new LiveLossChartCallback({ minIntervalMs: 0 });
    await fitTiny([chart], 2);
    // the first redraw is free; later ones wait 20x the last draw's time, so a fast fit gets few
    assert.ok(chart.draws >= 2 && chart.draws < 9, `draws: ${chart.draws}`);
    assert.equal(new Set(sink.calls.map((c) => c.displayId)).size, 1);
    // redraws are SVG only; the final, stored chart adds the PNG an untrusted notebook shows
    const pngs = sink.calls.map((c) => typeof c.bundle['image/png'] === 'string');
    assert.deepEqual(pngs, [...Array(pngs.length - 1).fill(false), true]);
  });

  it('trainingFeedback: progress + chart in a notebook, the bar alone in a terminal, nothing drawn when silent', async () => {
    setNotebookDisplaySink(new RecordingSink());
    assert.deepEqual(trainingFeedback().map((c) => c.constructor.name), ['FitProgressCallback', 'LiveLossChartCallback']);
    setNotebookDisplaySink(null);
    const stream = new FakeStream(false);
    const terminal = trainingFeedback({ stream });
    assert.equal(terminal.length, 2); // the chart callback stays idle outside a notebook
    await fitTiny(terminal, 1);
    assert.match(stream.text, /^epoch 1\/1/);
    const silentStream = new FakeStream(true);
    await fitTiny(trainingFeedback({ mode: 'silent', stream: silentStream }), 1);
    assert.equal(silentStream.text, '');
  });
});
