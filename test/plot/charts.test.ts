import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import {
  activationCurves,
  activationFunctionsChart,
  attentionHeatmapChart,
  classDistributionChart,
  classifyGridOutputs,
  confusionCounts,
  confusionMatrixChart,
  convFiltersChart,
  decisionBoundaryChart,
  embeddingProjectionChart,
  featureMapsChart,
  heatmapWithPathChart,
  historyToRows,
  imageGridChart,
  lineChart,
  pcaProject,
  trainingHistoryChart,
} from '../../lib/src/plot';
import { axisTitles, countMarkItems, renderClean } from './svg-helpers';

// Every helper: the spec compiles with no vega-lite warning, and the SVG has the marks it should.
describe('plot: chart builders', () => {
  it('training history: a panel per metric, train and validation lines, a point per epoch', async () => {
    const history = { history: { loss: [1, 0.6, 0.4, 0.3], val_loss: [1.1, 0.8, 0.6, 0.55], acc: [0.5, 0.7, 0.8, 0.85], val_acc: [0.45, 0.6, 0.7, 0.72] }, epoch: [0, 1, 2, 3] };
    const rows = historyToRows(history);
    assert.equal(rows.length, 16);
    assert.deepEqual(rows.filter((r) => r.metric === 'loss' && r.split === 'validation').map((r) => r.epoch), [1, 2, 3, 4]);
    const svg = await renderClean(trainingHistoryChart(history, { title: 'MLP on MNIST' }));
    assert.deepEqual(axisTitles(svg), ['epoch', 'loss', 'epoch', 'acc']);
    // a line per split in each panel; with points drawn, one symbol per (epoch, split)
    assert.equal(countMarkItems(svg, 'concat_0_layer_0'), 2);
    assert.equal(countMarkItems(svg, 'concat_0_layer_1'), 8);
    assert.match(svg, />MLP on MNIST</);
  });

  it('training history rejects an empty history', () => {
    assert.throws(() => trainingHistoryChart({ loss: [] }), /no finite values/);
  });

  it('line chart: one line per series, log axes, x/y titles', async () => {
    const lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1];
    const svg = await renderClean(
      lineChart({ adam: { x: lrs, y: [2.3, 1.2, 0.5, 0.9, 4] }, sgd: { x: lrs, y: [2.3, 2.2, 1.5, 0.7, 3] } }, { logX: true, xTitle: 'learning rate', yTitle: 'loss after 1 epoch' }),
    );
    assert.deepEqual(axisTitles(svg), ['learning rate', 'loss after 1 epoch']);
    assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 2);
    assert.throws(() => lineChart({ a: { x: [1, 2], y: [1] } }), /2 x and 1 y/);
  });

  it('decision boundary: one circle per point over one background image computed by the model', async () => {
    const points = [[0, 0], [1, 1], [0, 1], [1, 0], [0.5, 0.2]];
    let gridRows = 0;
    const model = (grid: tf.Tensor2D) => {
      gridRows = grid.shape[0];
      return tf.tidy(() => tf.sigmoid(grid.slice([0, 0], [-1, 1]).sub(0.5).mul(10)));
    };
    const spec = decisionBoundaryChart(points, { labels: [0, 1, 0, 1, 0], model, gridSize: 30, xTitle: 'feature 1', yTitle: 'feature 2' });
    const svg = await renderClean(spec);
    assert.equal(gridRows, 900);
    assert.equal(countMarkItems(svg, 'points'), 5);
    assert.equal(countMarkItems(svg, 'boundary'), 1);
    assert.match(svg, /<image[^>]+href="data:image\/png;base64,/);
    assert.deepEqual(axisTitles(svg), ['feature 1', 'feature 2']);
  });

  it('grid outputs: binary probabilities, logits and softmax rows give classes and confidence', () => {
    const binary = classifyGridOutputs(tf.tensor2d([[0.9], [0.2]]));
    assert.deepEqual(binary.classes, [1, 0]);
    assert.ok(Math.abs(binary.confidence[0] - 0.8) < 1e-6);
    assert.deepEqual(classifyGridOutputs(tf.tensor1d([-3, 2])).classes, [0, 1]);
    const multi = classifyGridOutputs(tf.tensor2d([[1, 5, 0], [0.1, 0.2, 0.7]]));
    assert.deepEqual(multi.classes, [1, 2]);
  });

  it('image grid: one image per example, captions, wrong predictions with their true label', async () => {
    const images = tf.randomUniform([10, 28, 28]);
    const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const predictions = [0, 1, 2, 3, 4, 5, 6, 7, 9, 8];
    const svg = await renderClean(imageGridChart(images, { labels, predictions, columns: 5 }));
    assert.equal(countMarkItems(svg, 'images'), 10);
    assert.equal(countMarkItems(svg, 'captions'), 10);
    assert.equal(countMarkItems(svg, 'notes'), 2);
    assert.match(svg, />true: 8</);
    // RGB images with class names (CIFAR-10 shaped), labels only
    const rgb = await renderClean(imageGridChart(tf.randomUniform([3, 32, 32, 3], 0, 255, 'int32'), { labels: [0, 1, 2], classNames: ['airplane', 'automobile', 'bird'] }));
    assert.equal(countMarkItems(rgb, 'images'), 3);
    assert.match(rgb, />automobile</);
    assert.throws(() => imageGridChart(tf.zeros([2, 4, 4, 2])), /\[n,h,w,3\]/);
  });

  it('conv filters and feature maps: one tile per filter / channel', async () => {
    const conv = tf.layers.conv2d({ filters: 6, kernelSize: 3, inputShape: [8, 8, 1] });
    conv.apply(tf.input({ shape: [8, 8, 1] }));
    const svg = await renderClean(convFiltersChart(conv));
    assert.equal(countMarkItems(svg, 'images'), 6);
    const rgb = await renderClean(convFiltersChart(tf.randomNormal([5, 5, 3, 4])));
    assert.equal(countMarkItems(rgb, 'images'), 4);
    assert.throws(() => convFiltersChart(tf.zeros([3, 3, 2, 4]), { inputChannel: 'rgb' }), /3 input channels/);
    const maps = await renderClean(featureMapsChart(tf.randomUniform([1, 12, 12, 40]), { maxMaps: 16 }));
    assert.equal(countMarkItems(maps, 'images'), 16);
    assert.throws(() => featureMapsChart(tf.zeros([2, 4, 4, 3])), /one input/);
  });

  it('confusion matrix: one rect and one count per cell, counts computed from labels', async () => {
    const labels = [0, 0, 1, 1, 2, 2, 2];
    const predictions = tf.oneHot(tf.tensor1d([0, 1, 1, 1, 2, 0, 2], 'int32'), 3);
    assert.deepEqual(confusionCounts(labels, predictions), [[1, 1, 0], [0, 2, 0], [1, 0, 2]]);
    const svg = await renderClean(confusionMatrixChart({ labels, predictions }, { classNames: ['cat', 'dog', 'frog'] }));
    assert.equal(countMarkItems(svg, 'cells'), 9);
    assert.equal(countMarkItems(svg, 'counts'), 9);
    assert.deepEqual(axisTitles(svg), ['predicted class', 'true class']);
    const normalized = await renderClean(confusionMatrixChart([[8, 2], [1, 9]], { normalize: true }));
    assert.match(normalized, />0\.80</);
    assert.throws(() => confusionMatrixChart([[1, 2]]), /square/);
  });

  it('class distribution: a bar per class, grouped by split', async () => {
    const one = await renderClean(classDistributionChart(tf.tensor1d([0, 1, 1, 2, 2, 2])));
    assert.equal(countMarkItems(one, 'bars'), 3);
    const two = await renderClean(classDistributionChart({ train: [0, 1, 1, 2], test: [0, 0, 1, 3] }, { normalize: true }));
    assert.equal(countMarkItems(two, 'bars'), 8);
  });

  it('activation functions: derivatives from tf.grad match the known formulas', async () => {
    const rows = activationCurves(['sigmoid', 'relu'], [-2, 2], 5);
    const sigmoidDerivative = rows.filter((r) => r.fn === 'sigmoid' && r.panel === "f'(x)");
    sigmoidDerivative.forEach((r) => {
      const s = 1 / (1 + Math.exp(-r.x));
      assert.ok(Math.abs(r.value - s * (1 - s)) < 1e-4);
    });
    const relu = rows.filter((r) => r.fn === 'relu' && r.panel === "f'(x)").map((r) => r.value);
    assert.deepEqual(relu, [0, 0, 0, 1, 1]);
    const svg = await renderClean(activationFunctionsChart(['tanh', 'relu', { name: 'square', fn: (x) => tf.square(x) }]));
    assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 6);
    assert.throws(() => activationCurves(['nope' as 'relu']), /unknown activation/);
  });

  it('attention heatmap: a rect per (query, key) pair, token labels, duplicate tokens kept apart', async () => {
    const weights = tf.softmax(tf.randomNormal([1, 4, 3]));
    const svg = await renderClean(attentionHeatmapChart(weights, { queryTokens: ['le', 'chat', 'le', 'chien'], keyTokens: ['the', 'cat', 'the'] }));
    assert.equal(countMarkItems(svg, 'cells'), 12);
    assert.equal(countMarkItems(svg, 'values'), 12);
    assert.equal((svg.match(/>le</g) ?? []).length, 2);
    assert.throws(() => attentionHeatmapChart([[1, 0]], { queryTokens: ['a', 'b'] }), /tokens/);
  });

  it('heatmap with paths: one rect per grid cell, a point per path step', async () => {
    const svg = await renderClean(
      heatmapWithPathChart({ z: (x, y) => x * x + 4 * y * y, xRange: [-2, 2], yRange: [-1, 1], resolution: 12, paths: { sgd: [[1.5, 0.8], [1, 0.3], [0.5, 0.1]], momentum: [{ x: -1.5, y: -0.8 }, { x: 0, y: 0 }] }, zTitle: 'loss' }),
    );
    assert.equal(countMarkItems(svg, 'cells'), 144);
    assert.equal(countMarkItems(svg, 'pathPoints'), 5);
    const fromMatrix = await renderClean(heatmapWithPathChart({ z: [[1, 2], [3, 4]], xRange: [0, 1], yRange: [0, 1], logColor: true }));
    assert.equal(countMarkItems(fromMatrix, 'cells'), 4);
  });

  it('heatmap with paths: clipPaths stops a diverging path at its first point outside the window', async () => {
    // The third point leaves the window; the fourth comes back inside but is not drawn either.
    const diverging = [[0.5, 0.5], [-0.9, -0.2], [3, 0], [0.1, 0.1]];
    const chart = (clipPaths?: boolean) => heatmapWithPathChart({ z: (x, y) => x * x + y * y, xRange: [-1, 1], yRange: [-1, 1], resolution: 4, paths: { big: diverging, edge: [[1, 1], [1, -1]] }, clipPaths });
    assert.equal(countMarkItems(await renderClean(chart(true)), 'pathPoints'), 2 + 2, 'the points on the frame count as inside');
    assert.equal(countMarkItems(await renderClean(chart()), 'pathPoints'), 4 + 2, 'without clipPaths every point is drawn');
  });

  it('PCA finds the dominant directions; the projection chart has a point per row', async () => {
    // points spread along (1, 1, 0) with small, uncorrelated spread along (1, -1, 0): the PCs are exactly those directions
    const rows: number[][] = [];
    for (let a = -5; a <= 5; a++) for (const s of [1, -1]) rows.push([a + 0.1 * s, a - 0.1 * s, 0]);
    const pca = pcaProject(rows, 2);
    const close = (v: number[], w: number[]) => v.every((x, i) => Math.abs(Math.abs(x) - w[i]) < 1e-6);
    assert.ok(close(pca.components[0], [Math.SQRT1_2, Math.SQRT1_2, 0]), `PC1 ${pca.components[0]}`);
    assert.ok(close(pca.components[1], [Math.SQRT1_2, Math.SQRT1_2, 0]), `PC2 ${pca.components[1]}`);
    assert.ok(pca.components[0][0] > 0 && pca.components[0][0] * pca.components[0][1] > 0 && pca.components[1][0] * pca.components[1][1] < 0);
    // variances: 2 * var(a) vs 2 * 0.01 -> ratio 1 - 0.02 / (2 * 11 + 0.02) * ... checked against the sums directly
    const varA = rows.reduce((s, r) => s + ((r[0] + r[1]) / 2) ** 2, 0) / (rows.length - 1);
    const varB = rows.reduce((s, r) => s + ((r[0] - r[1]) / 2) ** 2, 0) / (rows.length - 1);
    assert.ok(Math.abs(pca.explainedVarianceRatio[0] - varA / (varA + varB)) < 1e-6);
    assert.ok(Math.abs(pca.coords[0][0] - -5 * Math.SQRT2) < 1e-6);
    const svg = await renderClean(embeddingProjectionChart(rows, { labels: rows.map((_, i) => i % 2), words: rows.map((_, i) => `w${i}`), maxWords: 10 }));
    assert.equal(countMarkItems(svg, 'points'), 22);
    assert.equal(countMarkItems(svg, 'words'), 10);
    assert.match(axisTitles(svg)[0], /^PC1 \(\d+\.\d% of variance\)$/);
  });
});
