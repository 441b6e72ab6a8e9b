/**
 * Checks of the non-convolution training kernels on wasm against the cpu backend: segment sums (embedding
 * gradients), Einsum, and the elementwise/normalisation pieces the course's models differentiate through; plus
 * memory hygiene and idempotent registration of the course kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { strict as assert } from 'assert';
import { Rng } from '../../lib/src/engine';
import { COURSE_KERNELS, isCourseKernel, registerCourseKernels } from '../../lib/src/kernels';
import { PlainTensor, assertAllClose, assertWasmMatchesCpu, computeOn, prepareBackends, restoreBackend, randomTensor, toTensor } from './backend-compare';

describe('kernels: segment sums, einsum and elementwise gradients, wasm vs cpu', function () {
  this.timeout(60000);
  const rng = new Rng(7);
  before(prepareBackends);
  after(restoreBackend);

  it('registerCourseKernels is idempotent and registers every course kernel for its backends', () => {
    registerCourseKernels();
    const first = COURSE_KERNELS.flatMap(({ kernelName, backendNames }) => backendNames.map((b) => tf.getKernel(kernelName, b)?.kernelFunc));
    registerCourseKernels();
    for (const { kernelName, backendNames, role } of COURSE_KERNELS) {
      // A backend this process has not loaded (webgpu without its package) has no stock kernels to wrap.
      for (const backendName of backendNames.filter((b) => tf.findBackendFactory(b) !== null)) {
        const registered = tf.getKernel(kernelName, backendName);
        assert.ok(registered, `${kernelName} is not registered for ${backendName}`);
        if (role !== 'adds') assert.ok(isCourseKernel(registered.kernelFunc), `${kernelName} on ${backendName} is not the course's`);
      }
    }
    const second = COURSE_KERNELS.flatMap(({ kernelName, backendNames }) => backendNames.map((b) => tf.getKernel(kernelName, b)?.kernelFunc));
    assert.deepEqual(second, first, 'a second registration changes nothing');
  });

  describe('UnsortedSegmentSum', () => {
    const cases: [string, PlainTensor, PlainTensor, number][] = [
      ['1-D ids, rows of 5, repeated ids', randomTensor(rng, [6, 5]), { shape: [6], values: [0, 2, 2, 1, 0, 2], dtype: 'int32' }, 4],
      ['ids out of range are dropped', randomTensor(rng, [5, 3]), { shape: [5], values: [3, -1, 7, 0, 3], dtype: 'int32' }, 4],
      ['rows of a 3-D tensor', randomTensor(rng, [4, 3, 2]), { shape: [4], values: [1, 0, 1, 2], dtype: 'int32' }, 3],
      ['int32 data', { shape: [4, 2], values: [1, 2, 3, 4, 5, 6, 7, 8], dtype: 'int32' }, { shape: [4], values: [1, 1, 0, 1], dtype: 'int32' }, 2],
    ];
    for (const [name, x, ids, n] of cases) {
      it(name, async () => {
        await assertWasmMatchesCpu(name, () => tf.unsortedSegmentSum(toTensor(x), toTensor(ids) as tf.Tensor1D, n));
      });
    }

    it('gather gradient (Embedding lookups with repeated tokens), axis 0 and axis 1', async () => {
      const table = randomTensor(rng, [10, 4]);
      const tokens: PlainTensor = { shape: [3, 5], values: [1, 2, 2, 9, 0, 4, 4, 4, 1, 0, 7, 2, 3, 3, 1], dtype: 'int32' };
      const r = randomTensor(rng, [3, 5, 4]);
      const columns: PlainTensor = { shape: [3, 5], values: [1, 2, 2, 3, 0, 3, 3, 3, 1, 0, 0, 2, 3, 3, 1], dtype: 'int32' };
      const r1 = randomTensor(rng, [10, 3, 5]);
      await assertWasmMatchesCpu('gather grads', () => [
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, toTensor(tokens)), toTensor(r))))(toTensor(table)),
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, toTensor(columns), 1), toTensor(r1))))(toTensor(table)),
      ]);
    });
  });

  describe('Einsum (forward only: TF.js has no Einsum gradient)', () => {
    const cases: [string, number[][]][] = [
      ['ij,jk->ik', [[3, 4], [4, 5]]],
      ['bqd,bkd->bqk', [[2, 3, 4], [2, 5, 4]]],
      ['bij,bjk->bik', [[2, 3, 4], [2, 4, 2]]],
      ['ij->ji', [[3, 4]]],
      ['i,i->', [[6], [6]]],
      ['ij,j->i', [[3, 5], [5]]],
      ['i,j->ij', [[3], [4]]],
      ['ijk->', [[2, 3, 4]]],
    ];
    for (const [equation, shapes] of cases) {
      it(equation, async () => {
        const operands = shapes.map((s) => randomTensor(rng, s));
        await assertWasmMatchesCpu(equation, () => tf.einsum(equation, ...operands.map(toTensor)));
      });
    }
  });

  describe('Sum and Mean over leading axes (the SIMD row sweep) and the other axes (the stock kernels)', () => {
    const x = randomTensor(rng, [3, 5, 4, 8], 2);
    const cases: [string, number | number[], boolean][] = [
      ['batch-norm statistics: axes 0, 1, 2', [0, 1, 2], false],
      ['keepDims', [0, 1, 2], true],
      ['axes given out of order', [1, 0], false],
      ['axis 0 only', 0, false],
      ['innermost axis (stock)', 3, false],
      ['every axis (stock)', [0, 1, 2, 3], false],
      ['not leading (stock)', [1, 2], true],
    ];
    for (const [name, axis, keepDims] of cases) {
      it(name, async () => {
        await assertWasmMatchesCpu(name, () => [tf.sum(toTensor(x), axis, keepDims), tf.mean(toTensor(x), axis, keepDims)]);
      });
    }

    it('a few columns (stock), many rows (the batch-norm shape) and int32 (stock)', async () => {
      const narrow = randomTensor(rng, [6, 3]);
      const tall = randomTensor(rng, [64, 16, 16, 12]);
      await assertWasmMatchesCpu('shapes', () => [
        tf.mean(toTensor(narrow), 0),
        tf.mean(toTensor(tall), [0, 1, 2]),
        tf.sum(tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]], [2, 4], 'int32'), 0),
        tf.mean(tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 9]], [2, 4], 'int32'), 0),
      ]);
    });
  });

  describe('binary ops with a broadcast operand (one SIMD sweep) and their gradients', () => {
    const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
      ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['minimum', tf.minimum], ['maximum', tf.maximum],
    ];
    const big = randomTensor(rng, [4, 16, 18], 3); // 1,152 elements: over the stock threshold; 18 columns: a tail of 2
    const shapes: [string, number[]][] = [['a scalar', []], ['one value', [1]], ['a row [18]', [18]], ['a row [1,1,18]', [1, 1, 18]]];
    for (const [opName, op] of ops) {
      for (const [shapeName, shape] of shapes) {
        it(`${opName} with ${shapeName}, either side`, async () => {
          const small = randomTensor(rng, shape, 2);
          // Keep divisors away from zero.
          if (opName === 'div') small.values = small.values.map((v) => (v < 0 ? v - 0.5 : v + 0.5));
          const r = randomTensor(rng, big.shape);
          await assertWasmMatchesCpu(`${opName} ${shapeName}`, () => {
            const [x, y] = [toTensor(big), toTensor(small)];
            const loss = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(op(p, q), toTensor(r)));
            const lossFirst = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(op(q, p), toTensor(r)));
            // TF.js cannot differentiate minimum and maximum with a broadcast operand (on any backend).
            if (opName === 'minimum' || opName === 'maximum') return [op(x, y), op(y, x)];
            return [op(x, y), op(y, x), ...tf.grads(loss)([x, y]), ...tf.grads(lossFirst)([x, y])];
          });
        });
      }
    }

    it('small tensors, int32 and two-sided broadcasts stay with the stock kernels', async () => {
      const [small, column, row] = [randomTensor(rng, [3, 4]), randomTensor(rng, [40, 1]), randomTensor(rng, [1, 40])];
      await assertWasmMatchesCpu('stock cases', () => [
        tf.minimum(toTensor(small), 0.5),
        tf.add(tf.range(0, 2048, 1, 'int32'), tf.scalar(3, 'int32')),
        tf.mul(toTensor(column), toTensor(row)),
      ]);
    });
  });

  describe('Tile gradient (one Reshape + Sum, every backend) against the sum over repetitions, done by hand', () => {
    /** d/dx sum(tile(x, reps) * r): each output element's r goes to the input element it copies. */
    function tileGradientByHand(shape: number[], reps: number[], r: number[]): number[] {
      const outShape = shape.map((s, i) => s * reps[i]);
      const grad = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
      r.forEach((value, flat) => {
        let source = 0;
        let rest = flat;
        const index = outShape.map((_, axis) => {
          const stride = outShape.slice(axis + 1).reduce((a, b) => a * b, 1);
          const i = Math.floor(rest / stride);
          rest -= i * stride;
          return i;
        });
        index.forEach((i, axis) => (source = source * shape[axis] + (i % shape[axis])));
        grad[source] += value;
      });
      return grad;
    }
    const cases: [number[], number[]][] = [
      [[3], [4]],
      [[2, 3], [1, 5]],
      [[4, 1], [1, 6]],
      [[2, 3, 1], [3, 1, 4]],
      [[2, 1, 1, 3], [1, 2, 5, 1]],
      [[2, 2], [1, 1]],
    ];
    for (const [shape, reps] of cases) {
      it(`x [${shape}] reps [${reps}], cpu and wasm`, async () => {
        const x = randomTensor(rng, shape);
        const r = randomTensor(rng, shape.map((s, i) => s * reps[i]));
        const expected: PlainTensor = { shape, values: tileGradientByHand(shape, reps, r.values) };
        for (const backend of ['cpu', 'wasm'] as const) {
          const [actual] = await computeOn(backend, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tile(t, reps), toTensor(r))))(toTensor(x)));
          assertAllClose(actual, expected, `${backend}: tile gradient`, 1e-5);
        }
      });
    }
  });

  describe('elementwise and normalisation pieces the course differentiates', () => {
    const x = randomTensor(rng, [4, 6], 3);
    const r = randomTensor(rng, [4, 6]);
    const unary: [string, (t: tf.Tensor) => tf.Tensor][] = [
      ['softplus', (t) => tf.softplus(t)],
      ['erf', (t) => tf.erf(t)],
      ['gelu (erf form)', (t) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.div(t, Math.SQRT2))))],
      ['elu', (t) => tf.elu(t)],
      ['selu', (t) => tf.selu(t)],
      ['leakyRelu', (t) => tf.leakyRelu(t, 0.1)],
      ['relu6', (t) => tf.relu6(t)],
      ['sigmoid', (t) => tf.sigmoid(t)],
      ['tanh', (t) => tf.tanh(t)],
      ['logSoftmax', (t) => tf.logSoftmax(t)],
      ['softmax', (t) => tf.softmax(t)],
      ['log1p(abs)', (t) => tf.log1p(tf.abs(t))],
      ['pow 3', (t) => tf.pow(t, 3)],
      ['clipByValue', (t) => tf.clipByValue(t, -1, 1)],
      ['layer norm via moments', (t) => {
        const { mean, variance } = tf.moments(t, -1, true);
        return tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5)));
      }],
      ['batchNorm (FusedBatchNorm forward)', (t) => tf.batchNorm(t, tf.mean(t, 0), tf.add(tf.moments(t, 0).variance, 1e-3), tf.ones([6]), tf.zeros([6]), 1e-3)],
      ['cumsum', (t) => tf.cumsum(t, 1)],
      ['max reduce', (t) => tf.max(t, 1)],
      ['prod', (t) => tf.prod(tf.clipByValue(t, 0.5, 1.5), 1)],
    ];
    for (const [name, f] of unary) {
      it(name, async () => {
        await assertWasmMatchesCpu(name, () => {
          const y = f(toTensor(x));
          const weights = tf.slice(tf.reshape(toTensor(r), [-1]), 0, y.size);
          const loss = (t: tf.Tensor) => tf.sum(tf.mul(tf.reshape(f(t), [-1]), weights));
          return [y, tf.grad(loss)(toTensor(x))];
        });
      });
    }

    it('LRN forward and LRNGrad', async () => {
      const img = randomTensor(rng, [2, 3, 3, 6]);
      const rr = randomTensor(rng, [2, 3, 3, 6]);
      const f = (t: tf.Tensor) => tf.localResponseNormalization(t as tf.Tensor4D, 2, 1, 0.5, 0.75);
      await assertWasmMatchesCpu('lrn', () => [f(toTensor(img)), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), toTensor(rr))))(toTensor(img))]);
    });

    it('TopK values and indices', async () => {
      const v = randomTensor(rng, [3, 10]);
      await assertWasmMatchesCpu('topk', () => {
        const { values, indices } = tf.topk(toTensor(v), 4);
        return [values, indices];
      });
    });

    describe('matMul by the SIMD routine (n a multiple of 4) and by XNNPACK (other n, broadcast batches)', () => {
      const cases: [string, number[], number[], boolean, boolean][] = [
        ['attention scores [2,3] 5x8 . 8x12', [2, 3, 5, 8], [2, 3, 8, 12], false, false],
        ['16-column blocks and a 4-column tail: n 20', [3, 7, 9], [3, 9, 20], false, false],
        ['transposeA', [2, 6, 5], [2, 6, 8], true, false],
        ['transposeB (q k^T)', [2, 5, 6], [2, 8, 6], false, true],
        ['both transposed, single matrices', [7, 5], [8, 7], true, true],
        ['k = 1', [4, 1], [1, 8], false, false],
        ['large enough to share out: rows of one product between threads', [200, 64], [64, 64], false, false],
        ['large enough to share out: matrices of a batch between threads', [7, 48, 64], [7, 40, 64], false, true],
        ['n = 6 (XNNPACK)', [2, 4, 3], [2, 3, 6], false, false],
        ['broadcast batch (XNNPACK; forward only: TF.js cannot differentiate it)', [1, 4, 3], [3, 3, 8], false, false],
      ];
      for (const [name, aShape, bShape, transposeA, transposeB] of cases) {
        it(name, async () => {
          const a = randomTensor(rng, aShape);
          const b = randomTensor(rng, bShape);
          await assertWasmMatchesCpu(name, () => {
            const product = tf.matMul(toTensor(a), toTensor(b), transposeA, transposeB);
            if (aShape[0] !== bShape[0]) return product;
            const r = tf.randomUniform(product.shape, -1, 1, 'float32', 5);
            const grads = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, transposeA, transposeB), r)))([toTensor(a), toTensor(b)]);
            return [product, ...grads];
          });
        });
      }

      it('a product of empty batches is empty', async () => {
        await assertWasmMatchesCpu('empty', () => tf.matMul(tf.zeros([0, 3, 4]), tf.zeros([0, 4, 8])));
      });
    });

    it('batched matMul with transposes, gradients', async () => {
      const a = randomTensor(rng, [2, 4, 3]);
      const b = randomTensor(rng, [2, 5, 3]);
      const rr = randomTensor(rng, [2, 4, 5]);
      await assertWasmMatchesCpu('matMul', () =>
        tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, false, true), toTensor(rr))))([toTensor(a), toTensor(b)]),
      );
    });
  });

  it('upSampling2d gradient (ResizeNearestNeighborGrad) on wasm is the adjoint of the forward resize', async () => {
    // The cpu backend's ResizeNearestNeighborGrad fails this identity, so wasm is checked against the math instead:
    // for y = resize(x), <r, y> must equal <dL/dx, x> when L = <r, y> (resize is linear).
    const x = randomTensor(rng, [2, 4, 5, 3]);
    for (const [size, alignCorners] of [
      [[8, 10], false],
      [[7, 3], true],
      [[3, 9], false],
    ] as [[number, number], boolean][]) {
      const r = randomTensor(rng, [2, size[0], size[1], 3]);
      const [forward, adjoint] = await computeOn('wasm', () => {
        const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners), toTensor(r)));
        return [f(toTensor(x)), tf.sum(tf.mul(tf.grad(f)(toTensor(x)), toTensor(x)))];
      });
      const expected = forward.values[0];
      assert.ok(Math.abs(adjoint.values[0] - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `resize ${size}: ${adjoint.values[0]} vs ${expected}`);
    }
  });

  // The cpu backend's ResizeBilinearGrad is wrong here (wrong shape for non-square images, halfPixelCenters
  // ignored), so the forward pass is compared with cpu and the gradient with the math.
  describe('resizeBilinear forward (vs cpu) and gradient (ResizeBilinearGrad, vs the adjoint identity)', () => {
    for (const [inShape, size, alignCorners, halfPixelCenters] of [
      [[2, 4, 5, 3], [8, 10], false, false],
      [[2, 4, 5, 3], [7, 3], true, false],
      [[1, 6, 6, 2], [12, 12], false, true],
      [[2, 5, 3, 4], [9, 7], false, true],
    ] as [number[], [number, number], boolean, boolean][]) {
      it(`[${inShape}] -> ${size} alignCorners ${alignCorners} halfPixelCenters ${halfPixelCenters}`, async () => {
        const x = randomTensor(rng, inShape);
        const r = randomTensor(rng, [inShape[0], size[0], size[1], inShape[3]]);
        const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(t as tf.Tensor4D, size, alignCorners, halfPixelCenters), toTensor(r)));
        await assertWasmMatchesCpu('resizeBilinear', () => tf.image.resizeBilinear(toTensor(x) as tf.Tensor4D, size, alignCorners, halfPixelCenters));
        // Resize is linear, so <r, resize(x)> = <dL/dx, x> checks the gradient against the math, not just cpu.
        const [forward, adjoint] = await computeOn('wasm', () => [f(toTensor(x)), tf.sum(tf.mul(tf.grad(f)(toTensor(x)), toTensor(x)))]);
        assert.ok(
          Math.abs(adjoint.values[0] - forward.values[0]) <= 1e-4 * Math.max(1, Math.abs(forward.values[0])),
          `<dL/dx, x> = ${adjoint.values[0]} but <r, resize(x)> = ${forward.values[0]}`,
        );
      });
    }
  });

  it('the course kernels free every intermediate (no wasm memory growth over repeated calls)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.randomUniform([2, 9, 9, 3]);
    const filter = tf.randomUniform([3, 3, 3, 2]);
    const dwFilter = tf.randomUniform([3, 3, 3, 2]);
    const step = () =>
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, filter]);
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')))([x, dwFilter]);
        tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'same')))(x);
        tf.unsortedSegmentSum(tf.ones([4, 3]), tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
        tf.einsum('ij,jk->ik', tf.ones([2, 3]), tf.ones([3, 4]));
      });
    step();
    const before = backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    assert.equal(backend.numDataIds(), before, 'wasm data ids leaked');
    tf.dispose([x, filter, dwFilter]);
  });
});
