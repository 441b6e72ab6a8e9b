/** The run configuration: one place for profile, seed, folders and project root, and the loaders that follow it. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_SEED,
  dataDir,
  derivedSeed,
  findProjectRoot,
  projectRoot,
  referenceResultsDir,
  resultsDir,
  runConfig,
} from '../../lib/src/config';
import { loadMnist, makeMoons } from '../../lib/src/data';
import { writeMnistFixture } from '../data/fixtures';
import { ROOT } from '../tooling/helpers';

const VARIABLES = ['COURSE_SEED', 'COURSE_PROFILE', 'DATASETS_DIR', 'COURSE_RESULTS_DIR'] as const;

describe('config: the run configuration', () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('finds the project root from inside it, and says what to do outside it', () => {
    assert.equal(findProjectRoot(path.join(ROOT, 'lib', 'src', 'config')), ROOT);
    assert.equal(findProjectRoot(os.tmpdir()), undefined);
    assert.equal(projectRoot(path.join(ROOT, 'notebooks')), ROOT);
    assert.throws(() => projectRoot(os.tmpdir()), /No course project root above .*set DATASETS_DIR and COURSE_RESULTS_DIR/);
  });

  it('reads profile, seed and folders from the environment, with the documented defaults', () => {
    for (const name of VARIABLES) delete process.env[name];
    assert.deepEqual(runConfig(), {
      profile: 'full',
      seed: DEFAULT_SEED,
      projectRoot: ROOT,
      dataDir: path.join(ROOT, 'datasets', 'cache'),
      resultsDir: path.join(ROOT, 'results'),
    });
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'run-config-'));
    Object.assign(process.env, { COURSE_PROFILE: 'smoke', COURSE_SEED: '7', DATASETS_DIR: path.join(scratch, 'data'), COURSE_RESULTS_DIR: path.join(scratch, 'out') });
    assert.deepEqual(runConfig(), { profile: 'smoke', seed: 7, projectRoot: ROOT, dataDir: path.join(scratch, 'data'), resultsDir: path.join(scratch, 'out') });
    // An explicit folder wins over the environment.
    assert.equal(dataDir(path.join(scratch, 'mine')), path.join(scratch, 'mine'));
    assert.equal(resultsDir(path.join(scratch, 'mine')), path.join(scratch, 'mine'));
    assert.equal(referenceResultsDir(), path.join(ROOT, 'results', 'reference'));
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('derives seeds for separate draws from the course seed', () => {
    delete process.env.COURSE_SEED;
    assert.equal(derivedSeed(0), DEFAULT_SEED);
    assert.equal(derivedSeed(1000), DEFAULT_SEED + 1000);
    process.env.COURSE_SEED = '5';
    assert.equal(derivedSeed(1), 6);
    assert.equal(derivedSeed(3, 100), 103);
    assert.throws(() => derivedSeed(-1), /stream must be an integer >= 0/);
    assert.throws(() => derivedSeed(1.5), /stream must be an integer >= 0/);
  });

  it('seeds the data loaders from COURSE_SEED when no seed is given', () => {
    process.env.COURSE_SEED = '7';
    const fromEnv = makeMoons({ n: 50, noise: 0.1 });
    const explicit = makeMoons({ n: 50, noise: 0.1, seed: 7 });
    const other = makeMoons({ n: 50, noise: 0.1, seed: DEFAULT_SEED });
    assert.deepEqual(Array.from(fromEnv.points), Array.from(explicit.points));
    assert.notDeepEqual(Array.from(fromEnv.points), Array.from(other.points));
    tf.dispose([fromEnv.x, fromEnv.y, explicit.x, explicit.y, other.x, other.y]);
    // The MNIST train/validation split likewise.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-seed-'));
    writeMnistFixture(scratch, 40);
    const validationLabels = (seed?: number) => {
      const data = loadMnist({ dir: scratch, validationSplit: 0.5, ...(seed === undefined ? {} : { seed }) });
      const labels = Array.from(data.validation.y.dataSync());
      tf.dispose([data.train.x, data.train.y, data.validation.x, data.validation.y, data.test.x, data.test.y]);
      return labels;
    };
    assert.deepEqual(validationLabels(), validationLabels(7));
    assert.notDeepEqual(validationLabels(), validationLabels(DEFAULT_SEED));
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("MNIST takes the data folder as dataDir (its mnist/ folder) like the other loaders; dir stays as the IDX folder", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-data-dir-'));
    fs.mkdirSync(path.join(scratch, 'mnist'));
    writeMnistFixture(path.join(scratch, 'mnist'));
    const viaDataDir = loadMnist({ dataDir: scratch, validationSplit: 0.25, seed: 3 });
    const viaDir = loadMnist({ dir: path.join(scratch, 'mnist'), validationSplit: 0.25, seed: 3 });
    assert.deepEqual(Array.from(viaDataDir.validation.y.dataSync()), Array.from(viaDir.validation.y.dataSync()));
    assert.throws(() => loadMnist({ dataDir: scratch, dir: scratch }), /dataDir or the deprecated dir, not both/);
    tf.dispose([viaDataDir, viaDir].flatMap((d) => [d.train.x, d.train.y, d.validation.x, d.validation.y, d.test.x, d.test.y]));
    fs.rmSync(scratch, { recursive: true, force: true });
  });
});
