/**
 * Times every kernel a backend runs, by wrapping its registered kernelFuncs. Kernels that call other kernels
 * directly (the course's composite kernels do) are counted once, as the outermost kernel.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTiming {
  kernel: string;
  phase: string;
  /** The input shapes, when the timer separates calls by shape. */
  shapes?: string;
  calls: number;
  ms: number;
}

export class KernelTimer {
  /** Label attached to the kernels that run from now on (e.g. 'forward', 'backward', 'optimizer'). */
  phase = 'other';
  private readonly totals = new Map<string, KernelTiming>();
  private readonly originals: tf.KernelConfig[] = [];
  private depth = 0;

  /** `byShape` keeps calls with different input shapes apart: which Multiply is slow, not only that one is. */
  constructor(
    private readonly backendName: string,
    private readonly byShape = false,
  ) {}

  install(): void {
    if (this.originals.length > 0) throw new Error('KernelTimer is already installed');
    for (const config of tf.getKernelsForBackend(this.backendName)) {
      const original = config.kernelFunc;
      const timed = ((args: Parameters<tf.KernelFunc>[0]) => {
        if (this.depth > 0) return original(args);
        this.depth++;
        const start = performance.now();
        try {
          return original(args);
        } finally {
          this.record(config.kernelName, performance.now() - start, this.byShape ? describeShapes(args.inputs) : undefined);
          this.depth--;
        }
      }) as tf.KernelFunc;
      this.originals.push(config);
      tf.unregisterKernel(config.kernelName, this.backendName);
      tf.registerKernel({ ...config, kernelFunc: timed });
    }
  }

  uninstall(): void {
    for (const config of this.originals) {
      tf.unregisterKernel(config.kernelName, this.backendName);
      tf.registerKernel(config);
    }
    this.originals.length = 0;
  }

  reset(): void {
    this.totals.clear();
  }

  timings(): KernelTiming[] {
    return [...this.totals.values()].sort((a, b) => b.ms - a.ms);
  }

  private record(kernel: string, ms: number, shapes?: string): void {
    const key = `${kernel}\u0000${this.phase}\u0000${shapes ?? ''}`;
    const entry = this.totals.get(key) ?? { kernel, phase: this.phase, ...(shapes === undefined ? {} : { shapes }), calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    this.totals.set(key, entry);
  }
}

function describeShapes(inputs: tf.NamedTensorInfoMap): string {
  return Object.values(inputs)
    .filter((t): t is tf.TensorInfo => t !== undefined)
    .map((t) => `[${t.shape.join(',')}]`)
    .join(' ');
}
