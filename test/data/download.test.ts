import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import * as tar from 'tar';
import { downloadFile } from '../../scripts/datasets/download';
import { ensureDataset } from '../../scripts/datasets/ensure';
import { DatasetManifest, readManifests, validateManifest } from '../../scripts/datasets/manifest';
import { removeDir, tempDir } from './fixtures';

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

/** A local server with Range support; paths under /dying/ cut the first response after half the bytes. */
function startServer(files: Record<string, Buffer>) {
  const log: { url: string; range?: string }[] = [];
  const died = new Set<string>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    log.push({ url, range: req.headers.range });
    const body = files[url.replace('/dying/', '/')];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    if (url.startsWith('/dying/') && !died.has(url)) {
      died.add(url);
      res.write(body.subarray(start, start + Math.floor((body.length - start) / 2)), () => res.socket?.end()); // close the connection mid-body (FIN, so the client gets exactly half)
      return;
    }
    res.end(body.subarray(start));
  });
  return new Promise<{ base: string; log: typeof log; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        base: `http://127.0.0.1:${port}`,
        log,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

describe('datasets script: download, resume, verify, unpack, import', function () {
  this.timeout(30000);
  const blob = crypto.randomBytes(300_000);
  const quiet = { retries: 3, retryDelayMs: 10, quiet: true, log: () => undefined };
  let dir: string;
  let archive: Buffer;
  let manifest: (base: string) => DatasetManifest;

  before(async () => {
    // Build the archive the fixture manifest points at: fixture-set/a.bin and fixture-set/sub/b.txt.
    const src = tempDir();
    fs.mkdirSync(path.join(src, 'fixture-set', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'fixture-set', 'a.bin'), blob.subarray(0, 1000));
    fs.writeFileSync(path.join(src, 'fixture-set', 'sub', 'b.txt'), 'hello\n');
    const file = path.join(src, 'fixture.tar.gz');
    await tar.c({ gzip: true, file, cwd: src }, ['fixture-set']);
    archive = fs.readFileSync(file);
    removeDir(src);
    manifest = (base) =>
      validateManifest(
        {
          name: 'fixture',
          title: 'test fixture',
          homepage: `${base}/`,
          licence: 'test',
          citation: 'test',
          directory: 'fixture-set',
          archive: { file: 'fixture.tar.gz', url: `${base}/dying/fixture.tar.gz`, size: archive.length, md5: md5(archive), member: 'fixture-set' },
          files: [
            { path: 'a.bin', size: 1000, sha256: [sha256(blob.subarray(0, 1000))] },
            { path: 'sub/b.txt', size: 6, sha256: [sha256(Buffer.from('hello\n'))] },
            { path: 'c.bin', size: blob.length, sha256: [sha256(blob)], url: `${base}/dying/blob.bin` },
          ],
        },
        'fixture manifest',
      );
  });
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  it('resumes with HTTP Range after the connection dies mid-file, then renames the verified .part', async () => {
    const server = await startServer({ '/blob.bin': blob });
    try {
      const dest = path.join(dir, 'blob.bin');
      await downloadFile(`${server.base}/dying/blob.bin`, dest, { ...quiet, size: blob.length, sha256: [sha256(blob)] });
      assert.ok(fs.readFileSync(dest).equals(blob));
      assert.ok(!fs.existsSync(`${dest}.part`));
      assert.equal(server.log.length, 2);
      assert.equal(server.log[0].range, undefined);
      // The resume starts where the .part ended: after the first bytes, at most the half the server sent (bytes
      // still buffered in the response when the connection dropped are fetched again).
      const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.log[1].range ?? '')?.[1]);
      assert.ok(resumedAt > 0 && resumedAt <= blob.length / 2, `resumed at ${server.log[1].range}`);
    } finally {
      await server.close();
    }
  });

  it('continues a .part left by an earlier run', async () => {
    const server = await startServer({ '/blob.bin': blob });
    try {
      const dest = path.join(dir, 'blob.bin');
      fs.writeFileSync(`${dest}.part`, blob.subarray(0, 1234));
      await downloadFile(`${server.base}/blob.bin`, dest, { ...quiet, size: blob.length, sha256: [sha256(blob)] });
      assert.ok(fs.readFileSync(dest).equals(blob));
      assert.deepEqual(server.log.map((l) => l.range), ['bytes=1234-']);
    } finally {
      await server.close();
    }
  });

  it('never leaves a wrong file under the final name', async () => {
    const server = await startServer({ '/blob.bin': blob });
    try {
      const dest = path.join(dir, 'blob.bin');
      await assert.rejects(
        downloadFile(`${server.base}/blob.bin`, dest, { ...quiet, size: blob.length, sha256: ['0'.repeat(64)] }),
        /not the expected file \(sha256 mismatch: expected 0{64}, got [0-9a-f]{64}\)/,
      );
      assert.ok(!fs.existsSync(dest) && !fs.existsSync(`${dest}.part`));
      await assert.rejects(downloadFile(`${server.base}/nothing`, dest, quiet), /download of .*\/nothing failed: HTTP 404/);
      assert.ok(!fs.existsSync(dest));
    } finally {
      await server.close();
    }
  });

  it('ensureDataset downloads the archive and a direct file, unpacks, verifies, and is idempotent', async () => {
    const server = await startServer({ '/fixture.tar.gz': archive, '/blob.bin': blob });
    try {
      const m = manifest(server.base);
      const first = await ensureDataset(m, { dataDir: dir, download: quiet, log: () => undefined });
      assert.deepEqual(first.problems, []);
      assert.ok(first.ok);
      assert.deepEqual([...first.obtained].sort(), ['a.bin', 'c.bin', 'sub/b.txt']);
      assert.equal(fs.readFileSync(path.join(dir, 'fixture-set', 'sub', 'b.txt'), 'utf8'), 'hello\n');
      assert.ok(!fs.existsSync(path.join(dir, 'fixture.tar.gz')), 'archive removed after unpacking');
      assert.ok(fs.existsSync(path.join(dir, 'fixture-set', '.verified.json')));
      const requests = server.log.length;
      const second = await ensureDataset(m, { dataDir: dir, download: quiet, log: () => undefined });
      assert.ok(second.ok);
      assert.deepEqual(second.obtained, []);
      assert.equal(server.log.length, requests, 'nothing downloaded when everything is present');
      // A corrupted file is reported by a check, with the expected checksum.
      fs.writeFileSync(path.join(dir, 'fixture-set', 'a.bin'), Buffer.alloc(1000));
      const check = await ensureDataset(m, { dataDir: dir, checkOnly: true });
      assert.equal(check.problems.length, 1);
      assert.match(check.problems[0], /fixture: .*a\.bin is wrong \(sha256 mismatch: expected [0-9a-f]{64}, found [0-9a-f]{64}\)/);
    } finally {
      await server.close();
    }
  });

  it('offline: one clear line per missing file, saying how to provide it, and no final files', async () => {
    const server = await startServer({});
    const base = server.base;
    await server.close(); // nothing listens there now
    const result = await ensureDataset(manifest(base), { dataDir: dir, download: quiet, log: () => undefined });
    assert.ok(!result.ok);
    assert.equal(result.problems.length, 3);
    for (const line of result.problems) {
      assert.match(line, /^fixture: .* is missing; download of http:\/\/127\.0\.0\.1:\d+\/dying\/\S+ failed: .*ECONNREFUSED.*; provide it with `npm run datasets -- fixture --from </);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'fixture-set', 'c.bin')));
  });

  it('--from imports files or the archive from a local folder, verifying them', async () => {
    const m = manifest('http://127.0.0.1:9');
    const from = tempDir();
    try {
      fs.writeFileSync(path.join(from, 'fixture.tar.gz'), archive);
      fs.writeFileSync(path.join(from, 'c.bin'), blob);
      const ok = await ensureDataset(m, { dataDir: dir, from, log: () => undefined });
      assert.deepEqual(ok.problems, []);
      removeDir(path.join(dir, 'fixture-set'));
      fs.writeFileSync(path.join(from, 'c.bin'), blob.subarray(1));
      fs.rmSync(path.join(from, 'fixture.tar.gz'));
      const bad = await ensureDataset(m, { dataDir: dir, from, log: () => undefined });
      assert.equal(bad.problems.length, 3);
      assert.match(bad.problems.join('\n'), /c\.bin is missing; .*c\.bin is not the expected file \(expected 300,000 bytes, got 299,999\)/);
      assert.match(bad.problems.join('\n'), /a\.bin is missing; not found in /);
      assert.ok(!fs.existsSync(path.join(dir, 'fixture-set', 'c.bin')) && !fs.existsSync(path.join(dir, 'fixture-set', 'c.bin.part')));
    } finally {
      removeDir(from);
    }
  });

  it('the committed manifests are complete', () => {
    const manifests = readManifests(path.join(__dirname, '..', '..', 'datasets'));
    assert.deepEqual(manifests.map((m) => m.name), ['cifar10', 'glove', 'mnist', 'mobilenet', 'mrpc']);
    const mrpc = manifests.find((m) => m.name === 'mrpc') as DatasetManifest;
    assert.match(mrpc.licence, /NON-COMMERCIAL/);
    const cifar = manifests.find((m) => m.name === 'cifar10') as DatasetManifest;
    assert.equal(cifar.archive?.url, 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
  });
});
