import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DatasetFileError, loadMrpc, MRPC_LICENCE_NOTE, MrpcData, parseMrpc } from '../../lib/src/data';
import { MRPC_ROWS, mrpcText, removeDir, tempDir, writeMrpcFixture } from './fixtures';

describe('data: MRPC', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = tempDir();
    writeMrpcFixture(dataDir);
  });
  afterEach(() => removeDir(dataDir));

  it('parses BOM + CRLF files with quotes inside strings, splitting on TAB only', () => {
    for (const eol of ['\r\n', '\n']) {
      const pairs = parseMrpc(mrpcText(MRPC_ROWS, eol), 'f.txt');
      assert.equal(pairs.length, 4);
      assert.deepEqual(pairs[2], { id1: '1330381', id2: '1330521', sentence1: 'He said "no" and "maybe, "yes".', sentence2: 'He said: "no, maybe yes".', label: 1 });
      assert.equal(pairs[3].sentence1, 'It was "quoted at the start');
      assert.equal(pairs[3].sentence2, 'and ended with a lone quote"');
      assert.ok(!pairs[0].id1.includes('\uFEFF') && !pairs[3].sentence2.endsWith('\r'));
    }
  });

  it('names the file, line and expectation for malformed input', () => {
    const good = mrpcText(MRPC_ROWS);
    assert.throws(() => parseMrpc('', 'e.txt'), /e\.txt: empty/);
    assert.throws(() => parseMrpc('a,b,c\n1,2,3\n', 'csv.txt'), (e: unknown) => e instanceof DatasetFileError && /csv\.txt: line 1: expected the MRPC header/.test(e.message));
    const missingColumn = good.replace('\t702977', '');
    assert.throws(() => parseMrpc(missingColumn, 'm.txt'), /m\.txt: line 2: expected 5 TAB-separated columns .* found 4/);
    assert.throws(() => parseMrpc(good.replace('\r\n1\t702876', '\r\n2\t702876'), 'q.txt'), /q\.txt: line 2: Quality must be 0 or 1, found "2"/);
    assert.throws(() => parseMrpc(good.replace('702876', 'abc'), 'i.txt'), /i\.txt: line 2: sentence ids must be numbers/);
  });

  it('loads the original format with a seeded validation split and prints the licence', () => {
    const logged: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => logged.push(args.join(' '));
    let data: MrpcData;
    try {
      data = loadMrpc({ dataDir, validationSplit: 0.25, seed: 1 });
    } finally {
      console.log = original;
    }
    assert.equal(data.train.length, 15);
    assert.equal(data.validation.length, 5);
    assert.equal(data.test.length, 4);
    assert.ok(logged.some((l) => /non-commercial/.test(l)), 'the licence note must be printed');
    assert.equal(data.licence, MRPC_LICENCE_NOTE);
    const ids = (d: MrpcData) => d.validation.map((p) => p.id1);
    assert.deepEqual(ids(loadMrpc({ dataDir, validationSplit: 0.25, seed: 1, quiet: true })), ids(data));
    assert.notDeepEqual(ids(loadMrpc({ dataDir, validationSplit: 0.25, seed: 2, quiet: true })), ids(data));
    const all = [...data.train, ...data.validation].map((p) => p.id1).sort();
    assert.equal(new Set(all).size, 20);
  });

  it('loads the GLUE format (fixed split) and refuses a validationSplit with it', () => {
    const glue = loadMrpc({ dataDir, format: 'glue', quiet: true });
    assert.equal(glue.train.length, 15);
    assert.equal(glue.validation.length, 5);
    assert.throws(() => loadMrpc({ dataDir, format: 'glue', validationSplit: 0.1, quiet: true }), /does not apply to format 'glue'/);
    fs.rmSync(path.join(dataDir, 'mrpc', 'glue', 'dev.tsv'));
    assert.throws(() => loadMrpc({ dataDir, format: 'glue', quiet: true }), /glue[\\/]dev\.tsv: missing/);
  });
});
