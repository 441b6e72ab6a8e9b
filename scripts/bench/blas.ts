/**
 * Which BLAS PyTorch really computes with, read from what torch_blas.py reports (its build's BLAS_INFO line, the
 * libraries loaded in its process, OpenBLAS's own core type), and the choice of OpenBLAS core type for the bench.
 * PyTorch on Debian's reference BLAS trains 3-5x slower than on OpenBLAS: a baseline that low flatters ours.
 */
import * as path from 'node:path';

/** What torch_blas.py prints. */
export interface TorchRuntime {
  torch: string;
  /** `BLAS_INFO=...` of `torch.__config__.show()`: 'mkl', 'open', 'generic' (whatever libblas.so.3 is), ... */
  blasInfo: string | null;
  mkldnn: boolean;
  /** BLAS/LAPACK/MKL shared libraries mapped in the process. */
  libraries: string[];
  openblas: { corename: string; config: string; threads: number } | null;
  torchThreads: number;
  interopThreads: number;
  env: Record<string, string>;
  check?: { maxRelativeError: number; gflops: number; threads: number };
}

export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'atlas' | 'reference' | 'unknown';

export interface BlasDescription {
  kind: BlasKind;
  /** The library file that identifies it, if one is loaded. */
  library?: string;
  /** True for a reference (unoptimised) BLAS: the figures against it are not a fair baseline. */
  reference: boolean;
  /** One line for the console and the docs. */
  summary: string;
}

const OPTIMISED: [BlasKind, RegExp][] = [
  ['openblas', /openblas/i],
  ['mkl', /mkl/i],
  ['blis', /blis/i],
  ['atlas', /atlas/i],
];

export function classifyBlas(runtime: TorchRuntime): BlasDescription {
  const build = `PyTorch ${runtime.torch} (BLAS_INFO=${runtime.blasInfo ?? '?'}${runtime.mkldnn ? ', oneDNN for convolutions' : ''})`;
  if (runtime.openblas) {
    // the library itself (libopenblasp-r0.3.21.so), not the libblas.so.3 alias in its folder
    const library = runtime.libraries.find((l) => /openblas/i.test(path.basename(l))) ?? runtime.libraries[0];
    const version = /OpenBLAS (\S+)/.exec(runtime.openblas.config)?.[1] ?? '';
    return { kind: 'openblas', library, reference: false, summary: `${build} on OpenBLAS ${version}, core ${runtime.openblas.corename} (${library})` };
  }
  for (const [kind, pattern] of OPTIMISED) {
    const library = runtime.libraries.find((l) => pattern.test(l));
    if (library) return { kind, library, reference: false, summary: `${build} on ${kind} (${library})` };
  }
  // MKL linked into libtorch itself (the PyTorch wheels): no separate library to see.
  if (runtime.blasInfo === 'mkl') return { kind: 'mkl', reference: false, summary: `${build} on MKL (linked into PyTorch)` };
  // Debian's netlib BLAS: libblas.so.3 from the blas/ folder (what 'generic' resolves to without an optimised one).
  const library = runtime.libraries.find((l) => /(^|\/)libblas\.so/.test(l));
  if (library) return { kind: 'reference', library, reference: true, summary: `${build} on a REFERENCE BLAS (${library})` };
  return { kind: 'unknown', reference: false, summary: `${build}, BLAS library not found among the loaded ones` };
}

/** One OpenBLAS setting tried for the PyTorch process: the environment changes and what the check measured. */
export interface BlasTrial {
  /** 'as set' = the environment unchanged; else the OpenBLAS variables it changes. */
  label: string;
  set: Record<string, string>;
  unset: string[];
  runtime?: TorchRuntime;
  error?: string;
}

/** Variables this machine may set for older OpenBLAS builds; tests and CI keep them, the bench may try without. */
export const OPENBLAS_OVERRIDES = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/**
 * The settings to try: the environment as it is; OpenBLAS's own detection (the overrides unset); and each core type
 * the CPU's flags allow (OpenBLAS's detection can fall back to an old generic core on a CPU it does not know).
 */
export function blasTrials(cpuFlags: Set<string>, env: NodeJS.ProcessEnv): BlasTrial[] {
  const trials: BlasTrial[] = [{ label: 'as set', set: {}, unset: [] }];
  const overridden = OPENBLAS_OVERRIDES.filter((k) => env[k] !== undefined);
  if (overridden.length > 0) trials.push({ label: `${overridden.join(', ')} unset`, set: {}, unset: overridden });
  const cores: [string, string[]][] = [
    ['Haswell', ['avx2', 'fma']],
    ['SkylakeX', ['avx512f', 'avx512bw', 'avx512vl']],
    ['Cooperlake', ['avx512f', 'avx512_bf16']],
  ];
  for (const [core, flags] of cores) {
    if (flags.every((f) => cpuFlags.has(f)) && env.OPENBLAS_CORETYPE !== core) {
      trials.push({ label: `OPENBLAS_CORETYPE=${core}`, set: { OPENBLAS_CORETYPE: core }, unset: ['OPENBLAS_L2_SIZE'] });
    }
  }
  return trials;
}

/** Products whose error relative to float64 is above this are wrong, not rounding (float32 sums of 784 terms: ~1e-6). */
export const PRODUCT_TOLERANCE = 1e-5;

/** The fastest trial whose products were right; the unchanged environment if none ran. */
export function pickBlasTrial(trials: BlasTrial[], tolerance = PRODUCT_TOLERANCE): BlasTrial {
  const passed = trials.filter((t) => t.runtime?.check && t.runtime.check.maxRelativeError <= tolerance);
  if (passed.length === 0) return trials[0];
  return passed.reduce((best, t) => (t.runtime!.check!.gflops > best.runtime!.check!.gflops ? t : best));
}

/** The environment of a trial, applied to `env`. */
export function trialEnv(trial: BlasTrial, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env, ...trial.set };
  for (const k of trial.unset) delete out[k];
  return out;
}
