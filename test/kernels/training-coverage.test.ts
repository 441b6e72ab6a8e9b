/**
 * Can every kind of course model TRAIN on wasm, and does it compute the same gradients as the cpu backend?
 *
 * 1. Lists the kernels a training step uses (tf.profile on cpu) and fails naming every one 'wasm' lacks.
 * 2. Runs model.fit on wasm and fails loudly on "Kernel 'X' not registered for backend 'wasm'".
 * 3. Compares the gradients of every weight, cpu vs wasm, from identical weights and data.
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'assert';
import { PlainTensor, assertAllClose, prepareBackends, restoreBackend } from './backend-compare';
import { LAYERS_TRAINING_CASES, LayersTrainingCase, transformerBatch, transformerLoss, transformerVariables } from './training-models';

const MISSING_KERNEL = /Kernel '([^']+)' not registered for backend 'wasm'/;

function asList(x: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(x) ? x : [x];
}

function plain(t: tf.Tensor): PlainTensor {
  return { shape: t.shape.slice(), values: Array.from(t.dataSync()) };
}

/** One optimisation step with explicit gradients, the way custom training loops do it. */
function layersTrainingStep(c: LayersTrainingCase, model: tf.LayersModel, optimizer: tf.Optimizer): void {
  const { x, y } = c.batch();
  optimizer.minimize(() => {
    const predicted = model.apply(x, { training: true }) as tf.Tensor;
    const penalties = (model.losses as unknown[]).map((l) => (typeof l === 'function' ? (l as () => tf.Scalar)() : (l as tf.Scalar)));
    const regularisation = penalties.length > 0 ? tf.addN(penalties) : tf.scalar(0);
    return tf.add(c.loss(y, predicted), regularisation) as tf.Scalar;
  });
}

function transformerTrainingStep(optimizer: tf.Optimizer): void {
  const variables = transformerVariables(100);
  const { tokens, labels } = transformerBatch();
  optimizer.minimize(() => transformerLoss(variables, tokens, labels));
  Object.values(variables).forEach((v) => v.dispose());
}

async function kernelsUsedOnCpu(step: () => void): Promise<string[]> {
  await tf.setBackend('cpu');
  const info = await tf.profile(() => {
    tf.tidy(step);
  });
  // The profile also lists wrapper ops with custom gradients (e.g. 'fusedMatMul__op'); their kernels are listed too.
  return [...new Set(info.kernelNames)].filter((name) => !name.endsWith('__op'));
}

describe('kernels: every course model kind trains on wasm', function () {
  this.timeout(60000);
  before(prepareBackends);
  after(restoreBackend);

  it('every kernel used by a training step of each model kind is registered for wasm', async () => {
    const missing = new Map<string, string[]>();
    const steps: [string, () => void][] = [
      ...LAYERS_TRAINING_CASES.map((c): [string, () => void] => [c.name, () => layersTrainingStep(c, c.build(0.3), c.optimizer())]),
      ['Transformer block from raw ops (adam)', () => transformerTrainingStep(tf.train.adam(0.01))],
    ];
    for (const [name, step] of steps) {
      for (const kernel of await kernelsUsedOnCpu(step)) {
        if (tf.getKernel(kernel, 'wasm') === undefined) missing.set(kernel, [...(missing.get(kernel) ?? []), name]);
      }
    }
    const report = [...missing].map(([kernel, users]) => `${kernel} (used by: ${users.join('; ')})`);
    assert.equal(report.length, 0, `Kernels not registered for backend 'wasm': ${report.join(', ')}`);
  });

  describe('model.fit on wasm (one epoch of one batch, with an accuracy metric)', () => {
    for (const c of LAYERS_TRAINING_CASES) {
      it(c.name, async () => {
        await tf.setBackend('wasm');
        const model = c.build(0.3);
        model.compile({ loss: c.compileLoss, optimizer: c.optimizer(), metrics: ['accuracy'] });
        const { x, y } = c.batch();
        try {
          const history = await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
          const losses = history.history.loss as number[];
          assert.ok(losses.every(Number.isFinite), `loss is not finite: ${losses}`);
        } catch (error) {
          const match = MISSING_KERNEL.exec(String(error));
          if (match) assert.fail(`Kernel '${match[1]}' is not registered for wasm: training '${c.name}' fails`);
          throw error;
        } finally {
          tf.dispose([...asList(x), y]);
          model.dispose();
        }
      });
    }
  });

  describe('gradients of every weight agree, cpu vs wasm (same weights, same batch, dropout off)', () => {
    for (const c of LAYERS_TRAINING_CASES) {
      it(c.name, async () => {
        await tf.setBackend('cpu');
        const reference = c.build(0);
        const weights = reference.getWeights().map(plain);
        const gradsOn = async (backend: 'cpu' | 'wasm'): Promise<Map<string, PlainTensor>> => {
          await tf.setBackend(backend);
          const model = c.build(0);
          model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
          const { x, y } = c.batch();
          const { grads } = tf.variableGrads(() => c.loss(y, model.apply(x, { training: true }) as tf.Tensor));
          // Variable names differ between the two builds; order (layer by layer) does not.
          const result = new Map<string, PlainTensor>();
          model.trainableWeights.forEach((w, i) => {
            const g = grads[(w.read() as tf.Variable).name];
            assert.ok(g !== undefined, `no gradient for trainable weight ${w.originalName}`);
            result.set(`weight ${i} [${w.shape}]`, plain(g));
          });
          tf.dispose(Object.values(grads));
          tf.dispose([...asList(x), y]);
          model.dispose();
          return result;
        };
        const expected = await gradsOn('cpu');
        const actual = await gradsOn('wasm');
        reference.dispose();
        assert.ok(expected.size > 0, 'no gradients computed');
        assert.deepEqual([...actual.keys()], [...expected.keys()]);
        // Weights whose true gradient is zero (a conv bias right before batchNorm) only carry float32 noise: atol 1e-6.
        for (const [name, g] of expected) assertAllClose(actual.get(name)!, g, `${c.name}: d loss / d ${name}`, 1e-3, 1e-6);
      });
    }

    it('Transformer block from raw ops: every variable', async () => {
      const gradsOn = async (backend: 'cpu' | 'wasm') => {
        await tf.setBackend(backend);
        const variables = transformerVariables(100);
        const { tokens, labels } = transformerBatch();
        const { value, grads } = tf.variableGrads(() => transformerLoss(variables, tokens, labels));
        const byName = Object.fromEntries(Object.entries(variables).map(([key, v]) => [key, plain(grads[v.name])]));
        const loss = value.dataSync()[0];
        tf.dispose([value, tokens, labels, ...Object.values(grads), ...Object.values(variables)]);
        return { loss, byName };
      };
      const expected = await gradsOn('cpu');
      const actual = await gradsOn('wasm');
      assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-4 * Math.abs(expected.loss), `loss ${actual.loss} vs ${expected.loss}`);
      for (const [name, g] of Object.entries(expected.byName)) assertAllClose(actual.byName[name], g, `transformer d loss / d ${name}`, 1e-3, 1e-6);
    });
  });

  describe('optimizers: three steps give the same variables on cpu and wasm', () => {
    const optimizers: [string, () => tf.Optimizer][] = [
      ['sgd', () => tf.train.sgd(0.1)],
      ['momentum (nesterov)', () => tf.train.momentum(0.1, 0.9, true)],
      ['adam', () => tf.train.adam(0.05)],
      ['rmsprop (momentum)', () => tf.train.rmsprop(0.05, 0.9, 0.5)],
      ['adagrad', () => tf.train.adagrad(0.1)],
      ['adadelta', () => tf.train.adadelta(1)],
      ['adamax', () => tf.train.adamax(0.05)],
    ];
    for (const [name, make] of optimizers) {
      it(name, async () => {
        const run = async (backend: 'cpu' | 'wasm') => {
          await tf.setBackend(backend);
          const optimizer = make();
          const variables = transformerVariables(200);
          const { tokens, labels } = transformerBatch();
          for (let step = 0; step < 3; step++) optimizer.minimize(() => transformerLoss(variables, tokens, labels));
          const values = Object.fromEntries(Object.entries(variables).map(([key, v]) => [key, plain(v)]));
          tf.dispose([tokens, labels, ...Object.values(variables)]);
          optimizer.dispose();
          return values;
        };
        const expected = await run('cpu');
        const actual = await run('wasm');
        for (const [key, v] of Object.entries(expected)) assertAllClose(actual[key], v, `${name}: ${key}`, 1e-3, 1e-6);
      });
    }
  });
});
