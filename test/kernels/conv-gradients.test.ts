/**
 * Gradient checks of the convolution and pooling kernels: wasm (course kernels + tfjs-backend-wasm's own) against
 * the reference cpu backend, over a grid of shapes, strides, paddings, dilations, channel counts and batch sizes.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../lib/src/engine';
import { PlainTensor, assertAllClose, assertWasmMatchesCpu, computeOn, prepareBackends, restoreBackend, randomTensor, toTensor } from './backend-compare';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Pair = [number, number];

const KERNELS: Pair[] = [
  [1, 1],
  [3, 3],
  [2, 3],
  [5, 5],
];
const STRIDES: (number | Pair)[] = [1, 2, [2, 1], 3];
const PADS: Pad[] = [
  'same',
  'valid',
  1,
  [
    [0, 0],
    [1, 0],
    [0, 2],
    [0, 0],
  ],
];
const INPUT_SIZES: Pair[] = [
  [7, 7],
  [8, 6],
  [9, 10],
  [6, 11],
];
const BATCHES = [1, 3, 2];
const IN_CHANNELS = [1, 3, 4, 2];
const OUT_CHANNELS = [2, 5, 1, 3];

interface ConvCase {
  name: string;
  batch: number;
  size: Pair;
  inChannels: number;
  outChannels: number;
  kernel: Pair;
  strides: number | Pair;
  pad: Pad;
}

/**
 * TF.js sizes the output of a NUMERIC padding from the filter height and stride height only, so numeric padding
 * with a non-square filter or stride gives inconsistent shapes (and the wasm forward Conv2D then writes past its
 * output). Such combinations use the equivalent explicit padding instead.
 */
function usablePad(pad: Pad, kernel: Pair, strides: number | Pair): Pad {
  const square = kernel[0] === kernel[1] && (typeof strides === 'number' || strides[0] === strides[1]);
  if (typeof pad !== 'number' || square) return pad;
  return [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
}

/** Every kernel × stride × padding, with batch, size and channels rotating through their lists. */
function convGrid(): ConvCase[] {
  const cases: ConvCase[] = [];
  let i = 0;
  for (const kernel of KERNELS)
    for (const strides of STRIDES)
      for (const pad of PADS) {
        const size = INPUT_SIZES[i % INPUT_SIZES.length];
        const c: ConvCase = {
          name: '',
          batch: BATCHES[i % BATCHES.length],
          size,
          inChannels: IN_CHANNELS[(i >> 1) % IN_CHANNELS.length],
          outChannels: OUT_CHANNELS[(i >> 2) % OUT_CHANNELS.length],
          kernel,
          strides,
          pad: usablePad(pad, kernel, strides),
        };
        c.name = `x[${c.batch},${size},${c.inChannels}] k${kernel} co${c.outChannels} s${JSON.stringify(strides)} pad ${JSON.stringify(pad)}`;
        cases.push(c);
        i++;
      }
  return cases;
}

/** A fixed random "upstream gradient" makes every output element matter: loss = sum(y * r). */
function weightedLoss(y: tf.Tensor, r: PlainTensor): tf.Scalar {
  return tf.sum(tf.mul(y, toTensor(r)));
}

function outputShape(c: ConvCase, depthwiseMultiplier?: number): number[] {
  const filter = [c.kernel[0], c.kernel[1], c.inChannels, depthwiseMultiplier ?? c.outChannels] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo([c.batch, c.size[0], c.size[1], c.inChannels], filter, c.strides, 1, c.pad, undefined, depthwiseMultiplier !== undefined);
  return info.outShape;
}

describe('kernels: convolution gradients, wasm vs cpu', function () {
  this.timeout(60000);
  const rng = new Rng(20240601);

  before(prepareBackends);
  after(restoreBackend);

  describe('Conv2D forward, Conv2DBackpropInput and Conv2DBackpropFilter (via tf.grads)', () => {
    for (const c of convGrid()) {
      it(c.name, async () => {
        const x = randomTensor(rng, [c.batch, c.size[0], c.size[1], c.inChannels]);
        const w = randomTensor(rng, [c.kernel[0], c.kernel[1], c.inChannels, c.outChannels]);
        const r = randomTensor(rng, outputShape(c));
        await assertWasmMatchesCpu(c.name, () => {
          const f = (xt: tf.Tensor, wt: tf.Tensor) => weightedLoss(tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, c.pad), r);
          const [dx, dw] = tf.grads(f)([toTensor(x), toTensor(w)]);
          const y = tf.conv2d(toTensor(x) as tf.Tensor4D, toTensor(w) as tf.Tensor4D, c.strides, c.pad);
          return [y, dx, dw];
        });
      });
    }

    // TF.js's conv2d gradient drops dimRoundingMode, so this case calls the kernels directly on both backends.
    it('kernels with numeric padding and dimRoundingMode ceil', async () => {
      const x = randomTensor(rng, [2, 8, 7, 3]);
      const filterShape = [3, 3, 3, 4];
      const w = randomTensor(rng, filterShape);
      const dy = randomTensor(rng, [2, 4, 3, 4]); // ceil((8-3)/2)+1 = 4 rows, (7-3)/2+1 = 3 columns
      const attrs = { strides: 2, pad: 0, dataFormat: 'NHWC', dimRoundingMode: 'ceil' };
      await assertWasmMatchesCpu('ceil rounding', () => [
        tf.engine().runKernel('Conv2DBackpropFilter', { x: toTensor(x), dy: toTensor(dy) }, { ...attrs, filterShape }) as tf.Tensor,
        tf.engine().runKernel('Conv2DBackpropInput', { dy: toTensor(dy), filter: toTensor(w) }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
      ]);
    });
  });

  describe('Conv2DBackpropFilter at stride 1 with output channels a multiple of 4 (products tap by tap)', () => {
    const cases: [string, number[], Pair, number, Pad][] = [
      ['3x3 same, co 4', [2, 7, 6, 3], [3, 3], 4, 'same'],
      ['3x3 valid, co 8', [3, 9, 8, 5], [3, 3], 8, 'valid'],
      ['1x1, co 20 (16-column block and a 4-column tail)', [2, 5, 5, 4], [1, 1], 20, 'valid'],
      ['2x3, explicit uneven padding, co 12', [1, 6, 7, 2], [2, 3], 12, [[0, 0], [1, 0], [0, 2], [0, 0]]],
      ['5x5 same, co 4, one input channel', [2, 8, 8, 1], [5, 5], 4, 'same'],
      ['more rows than one block (co 64: blocks of 1,024 rows)', [3, 20, 20, 3], [3, 3], 64, 'same'],
    ];
    for (const [name, xShape, kernel, outChannels, pad] of cases) {
      it(name, async () => {
        const x = randomTensor(rng, xShape);
        const w = randomTensor(rng, [kernel[0], kernel[1], xShape[3], outChannels]);
        await assertWasmMatchesCpu(name, () => {
          const y = tf.conv2d(toTensor(x) as tf.Tensor4D, toTensor(w) as tf.Tensor4D, 1, pad as 'same');
          const r = tf.randomUniform(y.shape, -1, 1, 'float32', 3);
          const [dw] = tf.grads((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(toTensor(x) as tf.Tensor4D, f as tf.Tensor4D, 1, pad as 'same'), r)))([toTensor(w)]);
          return dw;
        });
      });
    }
  });

  describe('Conv2D forward with dilations (TF.js has no dilated conv2d gradient)', () => {
    for (const [dilation, pad] of [
      [2, 'same'],
      [[2, 3], 'valid'],
      [3, [[0, 0], [2, 1], [0, 2], [0, 0]]],
    ] as [number | Pair, Pad][]) {
      it(`dilation ${JSON.stringify(dilation)} pad ${JSON.stringify(pad)}`, async () => {
        const x = randomTensor(rng, [2, 11, 12, 3]);
        const w = randomTensor(rng, [3, 2, 3, 4]);
        await assertWasmMatchesCpu('dilated conv2d', () => tf.conv2d(toTensor(x) as tf.Tensor4D, toTensor(w) as tf.Tensor4D, 1, pad, 'NHWC', dilation));
      });
    }
  });

  describe('conv2dTranspose forward and gradients', () => {
    for (const [kernel, strides, pad] of [
      [[3, 3], 2, 'same'],
      [[2, 2], 2, 'valid'],
      [[3, 2], 1, 'same'],
      [[4, 4], 3, 'valid'],
    ] as [Pair, number, 'same' | 'valid'][]) {
      it(`k${kernel} s${strides} ${pad}`, async () => {
        const inShape: [number, number, number, number] = [2, 4, 5, 3];
        const outChannels = 2;
        const outH = pad === 'same' ? inShape[1] * strides : (inShape[1] - 1) * strides + kernel[0];
        const outW = pad === 'same' ? inShape[2] * strides : (inShape[2] - 1) * strides + kernel[1];
        const outShape: [number, number, number, number] = [2, outH, outW, outChannels];
        const x = randomTensor(rng, inShape);
        const w = randomTensor(rng, [kernel[0], kernel[1], outChannels, inShape[3]]);
        const r = randomTensor(rng, outShape);
        await assertWasmMatchesCpu('conv2dTranspose', () => {
          const f = (xt: tf.Tensor, wt: tf.Tensor) =>
            weightedLoss(tf.conv2dTranspose(xt as tf.Tensor4D, wt as tf.Tensor4D, outShape, strides, pad), r);
          return [tf.conv2dTranspose(toTensor(x) as tf.Tensor4D, toTensor(w) as tf.Tensor4D, outShape, strides, pad), ...tf.grads(f)([toTensor(x), toTensor(w)])];
        });
      });
    }
  });

  describe('DepthwiseConv2dNative forward and both gradients (via tf.grads)', () => {
    let i = 0;
    for (const kernel of [[3, 3], [2, 2], [5, 3]] as Pair[])
      for (const strides of [1, 2, [1, 2]] as (number | Pair)[])
        for (const pad of PADS) {
          const multiplier = [1, 2, 3][i % 3];
          const c: ConvCase = {
            name: '',
            batch: BATCHES[i % BATCHES.length],
            size: INPUT_SIZES[(i + 1) % INPUT_SIZES.length],
            inChannels: IN_CHANNELS[(i >> 1) % IN_CHANNELS.length],
            outChannels: 0,
            kernel,
            strides,
            pad: usablePad(pad, kernel, strides),
          };
          c.name = `x[${c.batch},${c.size},${c.inChannels}] k${kernel} m${multiplier} s${JSON.stringify(strides)} pad ${JSON.stringify(pad)}`;
          i++;
          it(c.name, async () => {
            const x = randomTensor(rng, [c.batch, c.size[0], c.size[1], c.inChannels]);
            const w = randomTensor(rng, [kernel[0], kernel[1], c.inChannels, multiplier]);
            const r = randomTensor(rng, outputShape(c, multiplier));
            await assertWasmMatchesCpu(c.name, () => {
              const conv = (xt: tf.Tensor, wt: tf.Tensor) => tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, strides, c.pad);
              const [dx, dw] = tf.grads((xt: tf.Tensor, wt: tf.Tensor) => weightedLoss(conv(xt, wt), r))([toTensor(x), toTensor(w)]);
              return [conv(toTensor(x), toTensor(w)), dx, dw];
            });
          });
        }
  });

  describe('depthwise backprop kernels with dilations (reference: cpu with the zero-stuffed filter)', () => {
    // The cpu backprop kernels ignore dilations, so the reference uses the equivalent undilated filter of size
    // (k-1)*d+1 whose taps between the real ones are zero, and keeps only the real taps of its gradient.
    for (const [dilation, pad, multiplier] of [
      [2, 'same', 1],
      [[2, 3], 'valid', 2],
      [3, [[0, 0], [1, 1], [1, 1], [0, 0]], 1],
    ] as [number | Pair, Pad, number][]) {
      it(`dilation ${JSON.stringify(dilation)} pad ${JSON.stringify(pad)} multiplier ${multiplier}`, async () => {
        const [dh, dw] = typeof dilation === 'number' ? [dilation, dilation] : dilation;
        const xShape: [number, number, number, number] = [2, 12, 11, 3];
        const kernel: Pair = [3, 2];
        const filterShape: [number, number, number, number] = [kernel[0], kernel[1], 3, multiplier];
        const stuffedShape: [number, number, number, number] = [(kernel[0] - 1) * dh + 1, (kernel[1] - 1) * dw + 1, 3, multiplier];
        const outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, 1, [dh, dw], pad, undefined, true).outShape;
        const x = randomTensor(rng, xShape);
        const w = randomTensor(rng, filterShape);
        const dy = randomTensor(rng, outShape);
        const stuffTaps = (filter: tf.Tensor4D) => {
          const spread = tf.reshape(filter, [kernel[0], 1, kernel[1], 1, 3, multiplier]);
          const padded = tf.pad(spread, [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
          return tf.slice(tf.reshape(padded, [kernel[0] * dh, kernel[1] * dw, 3, multiplier]), 0, stuffedShape) as tf.Tensor4D;
        };
        const expected = await computeOn('cpu', () => {
          const dwStuffed = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: toTensor(x), dy: toTensor(dy) }, { strides: 1, dilations: 1, pad, filterShape: stuffedShape }) as tf.Tensor;
          const realTaps = tf.stridedSlice(dwStuffed, [0, 0, 0, 0], stuffedShape, [dh, dw, 1, 1]);
          const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: toTensor(dy), filter: stuffTaps(toTensor(w) as tf.Tensor4D) }, { strides: 1, dilations: 1, pad, inputShape: xShape }) as tf.Tensor;
          return [realTaps, dx];
        });
        const actual = await computeOn('wasm', () => [
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: toTensor(x), dy: toTensor(dy) }, { strides: 1, dilations: [dh, dw], pad, filterShape }) as tf.Tensor,
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: toTensor(dy), filter: toTensor(w) }, { strides: 1, dilations: [dh, dw], pad, inputShape: xShape }) as tf.Tensor,
        ]);
        assertAllClose(actual[0], expected[0], 'dilated depthwise filter gradient');
        assertAllClose(actual[1], expected[1], 'dilated depthwise input gradient');
      });
    }
  });

  describe('pooling forward and gradients (MaxPoolGrad, AvgPoolGrad)', () => {
    for (const [size, strides, pad] of [
      [2, 2, 'valid'],
      [3, 2, 'same'],
      [[3, 2], 1, 'same'],
      [3, 3, 'valid'],
      [2, [1, 2], 'same'],
    ] as [number | Pair, number | Pair, 'same' | 'valid'][]) {
      for (const pool of ['maxPool', 'avgPool'] as const) {
        it(`${pool} size ${JSON.stringify(size)} strides ${JSON.stringify(strides)} ${pad}`, async () => {
          const x = randomTensor(rng, [3, 9, 8, 4]);
          const f = (xt: tf.Tensor) => tf[pool](xt as tf.Tensor4D, size, strides, pad);
          const r = randomTensor(rng, (await computeOn('cpu', () => f(toTensor(x))))[0].shape);
          await assertWasmMatchesCpu(pool, () => [f(toTensor(x)), tf.grad((xt: tf.Tensor) => weightedLoss(f(xt), r))(toTensor(x))]);
        });
      }
    }
  });

  describe('MaxPoolGrad with ties (ReLU zeros, repeated values): dy goes to the first maximum, as on cpu', () => {
    for (const [size, strides, pad] of [
      [2, 2, 'valid'],
      [3, 2, 'same'],
      [2, 1, 'valid'],
    ] as [number, number, 'same' | 'valid'][]) {
      // 3 channels: the JS loops; 8 and 4: the SIMD 2x2 routine (even sizes: every position in a window; odd: not).
      for (const shape of [[2, 7, 6, 3], [2, 6, 8, 8], [1, 5, 7, 4]]) {
        it(`size ${size} strides ${strides} ${pad}, input [${shape}]`, async () => {
          // Values in {-1, 0, 1, 2} after ReLU: most windows hold several equal maxima.
          const n = shape.reduce((a, b) => a * b, 1);
          const x: PlainTensor = { shape, values: Array.from({ length: n }, () => rng.int(4) - 1) };
          const f = (xt: tf.Tensor) => tf.maxPool(tf.relu(xt) as tf.Tensor4D, size, strides, pad);
          const r = randomTensor(rng, (await computeOn('cpu', () => f(toTensor(x))))[0].shape);
          await assertWasmMatchesCpu('maxPool ties', () => tf.grad((xt: tf.Tensor) => weightedLoss(f(xt), r))(toTensor(x)));
        });
      }
    }
  });

  describe('separable convolution and conv1d gradients', () => {
    it('separableConv2d (depthwise + pointwise), stride 2, same', async () => {
      const x = randomTensor(rng, [2, 9, 9, 3]);
      const dwf = randomTensor(rng, [3, 3, 3, 2]);
      const pwf = randomTensor(rng, [1, 1, 6, 4]);
      const r = randomTensor(rng, [2, 5, 5, 4]);
      await assertWasmMatchesCpu('separableConv2d', () =>
        tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          weightedLoss(tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 2, 'same'), r),
        )([toTensor(x), toTensor(dwf), toTensor(pwf)]),
      );
    });
    it('conv1d, kernel 3, stride 1, same', async () => {
      const x = randomTensor(rng, [3, 12, 5]);
      const w = randomTensor(rng, [3, 5, 6]);
      const r = randomTensor(rng, [3, 12, 6]);
      await assertWasmMatchesCpu('conv1d', () =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedLoss(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 1, 'same'), r))([toTensor(x), toTensor(w)]),
      );
    });
  });
});
