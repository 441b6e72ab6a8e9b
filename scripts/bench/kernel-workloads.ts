/**
 * The single kernels that bound the bench's models, as `npm run bench:ceiling` times them (torch_kernels.py holds
 * PyTorch's twins): the MLP's first product and one 3x3 convolution of the CIFAR CNN with its two gradients, each
 * called as the training step calls it (the gradients through their own kernels, not through autodiff).
 */
import * as tf from '@tensorflow/tfjs';

export interface ConvSize {
  batch: number;
  size: number;
  channels: number;
}

/** The CIFAR CNN's second block: 16x16 feature maps, 64 -> 64 channels, batch 64. */
export const CIFAR_BLOCK2: ConvSize = { batch: 64, size: 16, channels: 64 };

export interface KernelWorkload {
  name: 'matmul' | 'conv' | 'conv_input' | 'conv_filter';
  /** Floating-point operations of one call (a multiply-add counts 2). */
  flops: number;
  /** Makes the inputs once (seeded); `run` calls the kernel on them. */
  make: () => { inputs: tf.Tensor[]; run: () => tf.Tensor };
}

export function kernelWorkloads(conv: ConvSize = CIFAR_BLOCK2, product: [number, number, number] = [64, 784, 256]): KernelWorkload[] {
  const { batch, size, channels } = conv;
  const xShape: [number, number, number, number] = [batch, size, size, channels];
  const wShape: [number, number, number, number] = [3, 3, channels, channels];
  const convFlops = 2 * batch * size * size * channels * channels * 9;
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
  const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
  const [m, k, n] = product;
  return [
    {
      name: 'matmul',
      flops: 2 * m * k * n,
      make: () => {
        const [a, b] = [normal([m, k], 1), normal([k, n], 2)];
        return { inputs: [a, b], run: () => tf.matMul(a, b) };
      },
    },
    {
      name: 'conv',
      flops: convFlops,
      make: () => {
        const [x, w] = [normal(xShape, 1) as tf.Tensor4D, normal(wShape, 2) as tf.Tensor4D];
        return { inputs: [x, w], run: () => tf.conv2d(x, w, 1, 'same') };
      },
    },
    {
      name: 'conv_input',
      flops: convFlops,
      make: () => {
        const [dy, w] = [normal(xShape, 3), normal(wShape, 2)];
        return { inputs: [dy, w], run: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape } as never) as tf.Tensor };
      },
    },
    {
      name: 'conv_filter',
      flops: convFlops,
      make: () => {
        const [x, dy] = [normal(xShape, 1), normal(xShape, 3)];
        return { inputs: [x, dy], run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: wShape } as never) as tf.Tensor };
      },
    },
  ];
}
