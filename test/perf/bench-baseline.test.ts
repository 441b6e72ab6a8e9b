import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { blasTrials, BlasTrial, classifyBlas, pickBlasTrial, TorchRuntime, trialEnv } from '../../scripts/bench/blas';
import { best, modelSummary, rowRatios } from '../../scripts/bench/ratios';
import { runAtThreads, upTo } from '../../scripts/bench/thread-runs';

const runtime = (over: Partial<TorchRuntime>): TorchRuntime => ({
  torch: '1.13.0',
  blasInfo: 'generic',
  mkldnn: true,
  libraries: [],
  openblas: null,
  torchThreads: 1,
  interopThreads: 1,
  env: {},
  ...over,
});

describe("perf: the bench's PyTorch baseline", () => {
  describe('classifyBlas', () => {
    it("names OpenBLAS with its version and core from OpenBLAS's own report", () => {
      const blas = classifyBlas(
        runtime({
          libraries: ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'],
          openblas: { corename: 'SkylakeX', config: 'OpenBLAS 0.3.21 DYNAMIC_ARCH SkylakeX', threads: 2 },
        }),
      );
      assert.equal(blas.kind, 'openblas');
      assert.equal(blas.reference, false);
      assert.match(blas.summary, /OpenBLAS 0\.3\.21, core SkylakeX/);
      assert.match(blas.library!, /openblasp/);
    });

    it("flags Debian's reference libblas as a reference BLAS", () => {
      const blas = classifyBlas(runtime({ libraries: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3', '/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3'] }));
      assert.equal(blas.kind, 'reference');
      assert.equal(blas.reference, true);
      assert.match(blas.summary, /REFERENCE BLAS/);
    });

    it('recognises MKL linked into PyTorch (no library to see), other optimised libraries, and says when it cannot tell', () => {
      assert.equal(classifyBlas(runtime({ blasInfo: 'mkl' })).kind, 'mkl');
      assert.equal(classifyBlas(runtime({ libraries: ['/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3'] })).kind, 'blis');
      const unknown = classifyBlas(runtime({}));
      assert.equal(unknown.kind, 'unknown');
      assert.equal(unknown.reference, false);
    });
  });

  describe('OpenBLAS settings', () => {
    const avx512 = new Set(['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl']);

    it('tries the environment as set, the overrides unset, and each core type the CPU flags allow', () => {
      const labels = blasTrials(avx512, { OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1048576' }).map((t) => t.label);
      assert.deepEqual(labels, ['as set', 'OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset', 'OPENBLAS_CORETYPE=SkylakeX']);
      assert.deepEqual(blasTrials(new Set(['sse2']), {}).map((t) => t.label), ['as set']);
    });

    it('sets and unsets only what a trial says, on a copy', () => {
      const env = { OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1', PATH: '/bin' };
      const [, unset, skylake] = blasTrials(avx512, env);
      assert.deepEqual(trialEnv(unset, env), { PATH: '/bin' });
      assert.deepEqual(trialEnv(skylake, env), { OPENBLAS_CORETYPE: 'SkylakeX', PATH: '/bin' });
      assert.equal(env.OPENBLAS_CORETYPE, 'Haswell');
    });

    it('picks the fastest setting whose products are right, never a faster wrong one', () => {
      const trial = (label: string, gflops: number, maxRelativeError: number): BlasTrial => ({
        label, set: {}, unset: [], runtime: runtime({ check: { gflops, maxRelativeError, threads: 1 } }),
      });
      const trials = [trial('as set', 90, 5e-7), trial('fast but wrong', 300, 0.2), trial('faster', 160, 6e-7), { label: 'crashed', set: {}, unset: [], error: 'SIGILL' }];
      assert.equal(pickBlasTrial(trials).label, 'faster');
      assert.equal(pickBlasTrial([trial('as set', 90, 0.5), trial('wrong', 100, 0.5)]).label, 'as set');
    });
  });

  describe('ratios', () => {
    const torch = [
      { model: 'mlp', threads: 1, examplesPerSec: 40000 },
      { model: 'mlp', threads: 2, examplesPerSec: 60000 },
      { model: 'mlp', threads: 4, examplesPerSec: 90000 },
      { model: 'cnn', threads: 1, examplesPerSec: 5000 },
    ];

    it("takes PyTorch's best thread count within the cores, ignoring failed rows", () => {
      assert.equal(best(torch, 'mlp', 2)?.threads, 2);
      assert.equal(best(torch, 'mlp')?.threads, 4);
      assert.equal(best([...torch, { model: 'mlp', threads: 1, examplesPerSec: 1e9, error: 'x' }], 'mlp', 2)?.examplesPerSec, 60000);
      assert.equal(best(torch, 'lstm'), undefined);
    });

    it('rates a row against the best PyTorch on the same cores and against PyTorch at its thread count', () => {
      const ratios = rowRatios({ model: 'mlp', threads: 1, examplesPerSec: 30000 }, torch, 2);
      assert.equal(ratios.ratioToBestTorch, 0.5);
      assert.equal(ratios.ratioToTorchSameThreads, 0.75);
      assert.deepEqual(rowRatios({ model: 'lstm', threads: 1, examplesPerSec: 1 }, torch, 2), { ratioToBestTorch: undefined, ratioToTorchSameThreads: undefined });
    });

    it('summarises a model by the best of ours against the best of PyTorch, and how each scales from one thread', () => {
      const ours = [
        { model: 'mlp', threads: 1, examplesPerSec: 20000 },
        { model: 'mlp', threads: 2, examplesPerSec: 30000 },
      ];
      const summary = modelSummary('mlp', ours, torch, 2);
      assert.equal(summary.ours?.threads, 2);
      assert.equal(summary.torch?.threads, 2);
      assert.equal(summary.ratioBestToBestTorch, 0.5);
      assert.equal(summary.oursScaling, 1.5);
      assert.equal(summary.torchScaling, 1.5);
    });
  });
});

describe('perf: the bench at one wasm thread count in a child process', () => {
  it('runs the bench script with the thread count fixed at start-up and returns its rows', function () {
    this.timeout(180_000);
    const rows = runAtThreads<{ model: string; threads: number; examplesPerSec: number }>(
      path.join(__dirname, '../../scripts/bench.ts'),
      ['--models', 'mlp', '--backends', 'wasm', '--variants', 'course', '--loops', 'custom', '--no-torch', '--epochs', '1', '--epoch-seconds', '0.1'],
      1,
    );
    assert.deepEqual(rows.map((r) => [r.model, r.threads]), [['mlp', 1]]);
    assert.ok(rows[0].examplesPerSec > 0);
  });

  it('lists thread counts 1..n', () => {
    assert.deepEqual(upTo(3), [1, 2, 3]);
    assert.deepEqual(upTo(0), [1]);
  });
});
