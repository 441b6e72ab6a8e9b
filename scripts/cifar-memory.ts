/**
 * `npm run cifar-memory`: peak memory of loading all of CIFAR-10 (50,000 train + 10,000 test) with loadCifar10,
 * then of one augmented epoch of float batches. Fails (exit 1) if the peak is 1 GB or more above the baseline.
 * Needs the data in DATASETS_DIR (or datasets/cache). Run with --expose-gc (the npm script does) for a clean baseline.
 */
import * as tf from '@tensorflow/tfjs';
import { loadCifar10 } from '@dl-course/lib/data';

const LIMIT_BYTES = 1024 ** 3;
const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
/** Peak resident set size of this process so far (the kernel's own high-water mark). */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

async function main(): Promise<number> {
  await tf.ready();
  tf.tensor([1]).dispose(); // initialise the backend before the baseline
  collect();
  const baseline = process.memoryUsage().rss;
  const peakBefore = peakRss();
  const started = Date.now();
  const data = loadCifar10();
  const loadSeconds = (Date.now() - started) / 1000;
  const afterLoad = peakRss();
  console.log(`loaded ${data.train.size.toLocaleString('en-US')} train + ${data.test.size.toLocaleString('en-US')} test images in ${loadSeconds.toFixed(1)} s`);
  console.log(`uint8 storage: ${mb(data.train.pixels.byteLength + data.test.pixels.byteLength)}`);

  const epochStart = Date.now();
  let batches = 0;
  for (const { x, y } of data.train.batches(128, { augment: true, seed: 1 })) {
    tf.dispose([x, y]);
    batches++;
  }
  const epochSeconds = (Date.now() - epochStart) / 1000;
  const afterEpoch = peakRss();
  console.log(`one augmented epoch: ${batches} float batches of 128 converted in ${epochSeconds.toFixed(1)} s`);

  const overLoad = afterLoad - baseline;
  const overAll = Math.max(afterLoad, afterEpoch) - baseline;
  console.log(`baseline RSS ${mb(baseline)} (peak before loading ${mb(peakBefore)}${(globalThis as { gc?: unknown }).gc ? '' : ', no --expose-gc'})`);
  console.log(`peak RSS while loading: ${mb(afterLoad)} = baseline + ${mb(overLoad)}`);
  console.log(`peak RSS including the epoch: ${mb(Math.max(afterLoad, afterEpoch))} = baseline + ${mb(overAll)}`);
  const ok = overAll < LIMIT_BYTES;
  console.log(ok ? 'OK: under 1 GB over baseline' : 'FAIL: 1 GB or more over baseline');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
