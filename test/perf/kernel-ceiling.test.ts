import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerCourseKernels } from '../../lib/src/kernels';
import { kernelWorkloads } from '../../scripts/bench/kernel-workloads';
import { findTorchPython } from '../../scripts/bench/torch';
import { wasmSimdPeakGflops } from '../../scripts/bench/wasm-peak';

describe("perf: the kernel ceiling's workloads and the wasm SIMD peak", function () {
  this.timeout(60_000);

  it('the peak loop runs and reports a finite positive speed', () => {
    const gflops = wasmSimdPeakGflops(0.05, 2);
    assert.ok(Number.isFinite(gflops) && gflops > 0.1, `peak ${gflops} GFLOPS`);
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`on ${backend}: the gradient kernels the ceiling calls directly give what autodiff gives, and the product is a product`, async () => {
      registerCourseKernels();
      assert.ok(await tf.setBackend(backend));
      const [matmul, conv, convInput, convFilter] = kernelWorkloads({ batch: 2, size: 5, channels: 4 }, [3, 5, 2]);
      assert.equal(matmul.flops, 2 * 3 * 5 * 2);
      assert.equal(conv.flops, 2 * 2 * 5 * 5 * 4 * 4 * 9);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const p = matmul.make();
        const [a, b] = p.inputs as tf.Tensor2D[];
        assert.ok(tf.max(tf.abs(p.run().sub(tf.dot(a, b)))).dataSync()[0] < 1e-5);
        // dy and w of the input gradient, x of the filter gradient: recover them and differentiate the forward conv
        const input = convInput.make();
        const [dy, w] = input.inputs as tf.Tensor4D[];
        const filter = convFilter.make();
        const [x, dyFilter] = filter.inputs as tf.Tensor4D[];
        const [dx] = tf.grads((xs: tf.Tensor) => tf.conv2d(xs as tf.Tensor4D, w, 1, 'same'))([x], dy);
        assert.ok(tf.max(tf.abs(input.run().sub(dx))).dataSync()[0] < 1e-4, 'input gradient');
        const [dw] = tf.grads((ws: tf.Tensor) => tf.conv2d(x, ws as tf.Tensor4D, 1, 'same'))([w], dyFilter);
        assert.ok(tf.max(tf.abs(filter.run().sub(dw))).dataSync()[0] < 1e-3, 'filter gradient');
        const forward = conv.make();
        assert.deepEqual(forward.run().shape, [2, 5, 5, 4]);
      });
      assert.equal(tf.memory().numTensors, before);
    });
  }

  it("PyTorch's twins (torch_kernels.py) time the same four workloads at each thread count", function () {
    const python = findTorchPython();
    if (!python) this.skip();
    const run = spawnSync(python!, [path.join(__dirname, '../../scripts/bench/torch_kernels.py'), '--threads', '1', '--seconds', '0.01'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { workload: string; threads: number; seconds: number });
    assert.deepEqual(rows.map((r) => r.workload), kernelWorkloads().map((w) => w.name));
    assert.ok(rows.every((r) => r.threads === 1 && r.seconds > 0));
  });
});
