import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { classificationReport, comparePaired, evaluateClassifier, scoreClassifierOutput, scorePairProbabilities } from '../../lib/src/train';
import { scoreProbabilities } from '../../lib/src/train/evaluate-classifier';
import { assertNoTensorLeak, useCpuBackend } from '../models/support';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('train: classification metrics', () => {
  before(useCpuBackend);

  it('binary: hand-computed confusion, precision, recall, F1', () => {
    // TP = 3, FN = 1, FP = 2, TN = 4
    const truth = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const pred = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
    const r = classificationReport(truth, pred);
    assert.deepEqual(r.confusion, [[4, 2], [1, 3]]);
    close(r.accuracy, 0.7, 'accuracy');
    assert.ok(r.binary);
    close(r.binary.precision, 3 / 5, 'precision');
    close(r.binary.recall, 3 / 4, 'recall');
    close(r.binary.f1, (2 * 0.6 * 0.75) / 1.35, 'F1');
    // class 0: precision 4/5, recall 4/6
    close(r.perClass[0].precision, 4 / 5, 'class 0 precision');
    close(r.perClass[0].recall, 4 / 6, 'class 0 recall');
    close(r.macro.recall, (3 / 4 + 4 / 6) / 2, 'macro recall');
    assert.equal(r.perClass[1].support, 4);
  });

  it('multi-class: macro scores, a never-predicted class scores 0', () => {
    const truth = [0, 0, 1, 1, 2, 2];
    const pred = [0, 1, 1, 1, 0, 0];
    const r = classificationReport(truth, pred, 3);
    assert.deepEqual(r.confusion, [[1, 1, 0], [0, 2, 0], [2, 0, 0]]);
    close(r.accuracy, 0.5, 'accuracy');
    assert.equal(r.binary, undefined);
    // precision: c0 1/3, c1 2/3, c2 0; recall: c0 1/2, c1 1, c2 0
    close(r.macro.precision, (1 / 3 + 2 / 3 + 0) / 3, 'macro precision');
    close(r.macro.recall, (0.5 + 1 + 0) / 3, 'macro recall');
    const f1 = (p: number, q: number) => (2 * p * q) / (p + q);
    close(r.macro.f1, (f1(1 / 3, 0.5) + f1(2 / 3, 1) + 0) / 3, 'macro F1');
  });

  it('rejects mismatched or invalid labels', () => {
    assert.throws(() => classificationReport([0, 1], [0]), /2 true labels but 1 predictions/);
    assert.throws(() => classificationReport([0, 3], [0, 1], 2), /not a class id/);
    assert.throws(() => classificationReport([], []), /no labels/);
  });

  it('evaluateClassifier: sigmoid output with a threshold, labels as a tensor; no leaks', async () => {
    // A fixed "model": p = sigmoid(x), so x > 0 means class 1.
    const input = tf.input({ shape: [1] });
    const model = tf.model({ inputs: input, outputs: tf.layers.activation({ activation: 'sigmoid' }).apply(input) as tf.SymbolicTensor });
    const x = tf.tensor2d([[-2], [-0.5], [0.5], [3], [0.1]]);
    const y = tf.tensor1d([0, 1, 1, 1, 0], 'int32');
    const r = await assertNoTensorLeak(() => evaluateClassifier(model, x, y), 'evaluateClassifier');
    assert.deepEqual(Array.from(r.predictions), [0, 0, 1, 1, 1]);
    assert.deepEqual(r.confusion, [[1, 1], [1, 2]]);
    const strict = await evaluateClassifier(model, x, y, { threshold: 0.6 });
    assert.deepEqual(Array.from(strict.predictions), [0, 0, 1, 1, 0]);
    tf.dispose([x, y]);
  });

  it('evaluateClassifier: softmax output, one-hot labels or a plain array', async () => {
    const input = tf.input({ shape: [3] });
    const model = tf.model({ inputs: input, outputs: tf.layers.softmax().apply(input) as tf.SymbolicTensor });
    const x = tf.tensor2d([[5, 0, 0], [0, 5, 0], [0, 0, 5], [5, 0, 0]]);
    const oneHot = tf.tensor2d([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]]);
    const a = await evaluateClassifier(model, x, oneHot);
    const b = await evaluateClassifier(model, x, [0, 1, 0, 2]);
    assert.equal(a.accuracy, 0.5);
    assert.deepEqual(a.confusion, b.confusion);
    assert.deepEqual(a.confusion, [[1, 0, 1], [0, 1, 0], [1, 0, 0]]);
    tf.dispose([x, oneHot]);
  });

  it('evaluateClassifier: the loss is the mean cross-entropy of the true class', async () => {
    const input = tf.input({ shape: [3] });
    const model = tf.model({ inputs: input, outputs: tf.layers.softmax().apply(input) as tf.SymbolicTensor });
    const logits = [[2, 0, 0], [0, 1, 0], [0, 0, 0]];
    const labels = [0, 2, 1];
    const softmax = (row: number[]) => row.map((v) => Math.exp(v) / row.reduce((s, w) => s + Math.exp(w), 0));
    const want = -labels.reduce((s, label, i) => s + Math.log(softmax(logits[i])[label]), 0) / labels.length;
    const x = tf.tensor2d(logits);
    const r = await evaluateClassifier(model, x, labels);
    assert.ok(Math.abs(r.loss - want) < 1e-6, `loss ${r.loss}, want ${want}`);
    // A one-unit sigmoid output: p for class 1, 1 - p for class 0; a certain mistake is clipped, not infinite.
    const sigmoidInput = tf.input({ shape: [1] });
    const binary = tf.model({ inputs: sigmoidInput, outputs: tf.layers.activation({ activation: 'sigmoid' }).apply(sigmoidInput) as tf.SymbolicTensor });
    const xb = tf.tensor2d([[0], [Math.log(3)], [-200]]);
    const rb = await evaluateClassifier(binary, xb, [1, 0, 1]);
    assert.ok(Math.abs(rb.loss - (Math.log(2) + Math.log(4) - Math.log(1e-7)) / 3) < 1e-4, `binary loss ${rb.loss}`);
    tf.dispose([x, xb]);
  });

  it('scoreProbabilities (numbers) and scoreClassifierOutput (a tensor) agree; pairs are scored the same way', async () => {
    const sigmoid = [0.9, 0.2, 0.6, 0.4, 1];
    const truth = [1, 0, 0, 1, 0];
    const byHand = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4) + Math.log(1e-7)) / 5;
    const numbers = scoreProbabilities(sigmoid, 1, truth);
    assert.deepEqual([...numbers.predictions], [1, 0, 1, 0, 1]);
    assert.ok(Math.abs(numbers.loss - byHand) < 1e-6, `loss ${numbers.loss} vs ${byHand}`);
    const output = tf.tensor2d(sigmoid, [5, 1]);
    const fromTensor = await scoreClassifierOutput(output, truth);
    assert.deepEqual([...fromTensor.predictions], [...numbers.predictions]);
    assert.ok(Math.abs(fromTensor.loss - numbers.loss) < 1e-6);
    output.dispose();
    const pairs = truth.map((label) => ({ sentence1: 'a', sentence2: 'b', label }));
    const pairScores = scorePairProbabilities(pairs, Float32Array.from(sigmoid));
    assert.equal(pairScores.accuracy, numbers.accuracy);
    assert.ok(Math.abs(pairScores.logLoss - numbers.loss) < 1e-6);
    const softmax = scoreProbabilities([0.1, 0.7, 0.2, 0.5, 0.3, 0.2], 3, [1, 2]);
    assert.deepEqual([...softmax.predictions], [1, 0]);
    assert.ok(Math.abs(softmax.loss - -(Math.log(0.7) + Math.log(0.2)) / 2) < 1e-9);
    assert.throws(() => scoreProbabilities([0.5, 0.5, 0.5], 2, [0, 1]), /3 probabilities for 2 examples of 2 unit/);
  });

  it('comparePaired: mean difference, its standard error and the wins, pair by pair', () => {
    const r = comparePaired([0.8, 0.7, 0.9], [0.85, 0.8, 0.88]);
    assert.equal(r.n, 3);
    close(r.baselineMean, 0.8, 'baseline mean');
    close(r.candidateMean, 2.53 / 3, 'candidate mean');
    r.differences.forEach((d, i) => close(d, [0.05, 0.1, -0.02][i], `difference ${i}`));
    close(r.meanDifference, 0.13 / 3, 'mean difference');
    const sd = Math.sqrt(([0.05, 0.1, -0.02].reduce((s, d) => s + (d - 0.13 / 3) ** 2, 0)) / 2);
    close(r.standardError!, sd / Math.sqrt(3), 'standard error');
    assert.equal(r.candidateWins, 2);
    assert.equal(comparePaired([1], [2]).standardError, undefined);
    assert.throws(() => comparePaired([1, 2], [1]), /2 baseline scores but 1 candidate scores/);
    assert.throws(() => comparePaired([], []), /no pairs/);
  });
});
