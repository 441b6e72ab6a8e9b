/** Tiny dataset files written by the tests into a temporary folder (no binary fixtures in git). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeIdx } from '../../lib/src/data/idx';

export function tempDir(prefix = 'dl-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** `n` MNIST-like images where image i has every pixel equal to 10 * i (mod 256) and label i % 10. */
export function writeMnistFixture(dir: string, trainCount = 12, testCount = 5): void {
  const write = (prefix: string, n: number) => {
    const images = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) images.fill((10 * i) % 256, i * 784, (i + 1) * 784);
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx('uint8', [n, 28, 28], images));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx('uint8', [n], labels));
  };
  write('train', trainCount);
  write('t10k', testCount);
}

/** CIFAR records: record i has label `labels[i]`; its red plane is i, green 100 + i, blue 200 - i, pixel (0,0) of red is 255. */
export function cifarRecords(labels: number[]): Buffer {
  const out = Buffer.alloc(labels.length * 3073);
  labels.forEach((label, i) => {
    const base = i * 3073;
    out[base] = label;
    out.fill(i % 256, base + 1, base + 1 + 1024);
    out.fill((100 + i) % 256, base + 1 + 1024, base + 1 + 2048);
    out.fill((200 - i + 256) % 256, base + 1 + 2048, base + 1 + 3072);
    out[base + 1] = 255;
  });
  return out;
}

export const CIFAR_META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n';

/** A CIFAR-10 folder with 5 train files of 10 records (labels cycling 0-9) and a test file of 10 records. */
export function writeCifarFixture(dataDir: string): string {
  const dir = path.join(dataDir, 'cifar-10-batches-bin');
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) {
    fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), cifarRecords(Array.from({ length: 10 }, (_, i) => (i + b) % 10)));
  }
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), cifarRecords(Array.from({ length: 10 }, (_, i) => i)));
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), CIFAR_META);
  return dir;
}

const MRPC_HEADER = '\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String';

/** MRPC text with a BOM, the given line ending, and sentences holding quotes. */
export function mrpcText(rows: [number, string, string, string, string][], eol = '\r\n'): string {
  return [MRPC_HEADER, ...rows.map((r) => r.join('\t'))].join(eol) + eol;
}

export const MRPC_ROWS: [number, string, string, string, string][] = [
  [1, '702876', '702977', 'Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .', 'Referring to him as only " the witness " , Amrozi accused his brother of deliberately distorting his evidence .'],
  [0, '2108705', '2108831', "Yucaipa owned Dominick 's before selling the chain to Safeway in 1998 for $ 2.5 billion .", "Yucaipa bought Dominick 's in 1995 for $ 693 million and sold it to Safeway for $ 1.8 billion in 1998 ."],
  [1, '1330381', '1330521', 'He said "no" and "maybe, "yes".', 'He said: "no, maybe yes".'],
  [0, '3344667', '3344681', 'It was "quoted at the start', 'and ended with a lone quote"'],
];

export function writeMrpcFixture(dataDir: string): string {
  const dir = path.join(dataDir, 'mrpc');
  fs.mkdirSync(path.join(dir, 'glue'), { recursive: true });
  const train = Array.from({ length: 20 }, (_, i): [number, string, string, string, string] => {
    const r = MRPC_ROWS[i % MRPC_ROWS.length];
    return [i % 3 === 0 ? 0 : 1, String(1000 + i), String(2000 + i), `${r[3]} #${i}`, r[4]];
  });
  fs.writeFileSync(path.join(dir, 'msr_paraphrase_train.txt'), mrpcText(train, '\r\n'));
  fs.writeFileSync(path.join(dir, 'msr_paraphrase_test.txt'), mrpcText(MRPC_ROWS, '\r\n'));
  fs.writeFileSync(path.join(dir, 'glue', 'train.tsv'), mrpcText(train.slice(0, 15), '\n'));
  fs.writeFileSync(path.join(dir, 'glue', 'dev.tsv'), mrpcText(train.slice(15), '\n'));
  return dir;
}

/** A GloVe text file of the given words; word k's vector is [k, k + 0.5, -k, ...] of length `dim`. */
export function gloveText(words: string[], dim: number): string {
  return words.map((w, k) => `${w} ${Array.from({ length: dim }, (_, d) => (d % 3 === 0 ? k : d % 3 === 1 ? k + 0.5 : -k)).join(' ')}`).join('\n') + '\n';
}
