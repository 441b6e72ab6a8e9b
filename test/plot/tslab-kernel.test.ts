import { strict as assert } from 'node:assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inTslabKernel, LiveOutput, lineChart, showChart, showTable, VEGA_LITE_MIME } from '../../lib/src/plot';

// A stand-in for tslab's package: dist/public.js (display API) next to dist/jupyter.js (the kernel's
// writeDisplayData for the running cell), loaded through a `__tslab__.require` hook as in the kernel.
function fakeTslab(withJupyterModule: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-tslab-'));
  const publicJs = path.join(dir, 'public.js');
  fs.writeFileSync(
    publicJs,
    `const calls = [];
     const mk = (id) => ({ raw: (mime, data) => calls.push({ id, mime, data }) });
     let n = 0;
     module.exports = { calls, display: mk(undefined), newDisplay: () => mk('live' + ++n) };`,
  );
  if (withJupyterModule) {
    fs.writeFileSync(
      path.join(dir, 'jupyter.js'),
      `exports.writes = []; exports.lastWriteDisplayData = (content, update) => exports.writes.push({ content, update });`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tslab = require(publicJs);
  // the kernel has loaded jupyter.js next to public.js: the display code finds it in require.cache
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const jupyter = withJupyterModule ? require(path.join(dir, 'jupyter.js')) : undefined;
  return { dir, tslab, jupyter };
}

describe('plot: display inside a (simulated) tslab kernel', () => {
  const spec = lineChart([1, 3, 2], { title: 'k' });
  afterEach(() => {
    delete (globalThis as { __tslab__?: unknown }).__tslab__;
  });

  it('sends one multi-mime output through the kernel writeDisplayData when tslab has it', async () => {
    const fake = fakeTslab(true);
    const jupyter = fake.jupyter;
    (globalThis as { __tslab__?: unknown }).__tslab__ = { require: (id: string) => (id === 'tslab' ? fake.tslab : undefined) };
    assert.equal(inTslabKernel(), true);
    await showChart(spec);
    assert.equal(jupyter.writes.length, 1);
    const { content, update } = jupyter.writes[0];
    assert.equal(update, false);
    assert.deepEqual(Object.keys(content.data).sort(), [VEGA_LITE_MIME, 'image/png', 'image/svg+xml', 'text/plain'].sort());
    assert.equal(fake.tslab.calls.length, 0);
    const live = new LiveOutput();
    live.update({ 'text/plain': 'a' });
    live.update({ 'text/plain': 'b' });
    const [first, second] = jupyter.writes.slice(1);
    assert.equal(first.update, false);
    assert.equal(second.update, true);
    assert.equal(first.content.transient.display_id, second.content.transient.display_id);
    fs.rmSync(fake.dir, { recursive: true, force: true });
  });

  it('falls back to the one-mime public API (static image, newDisplay for live output)', async () => {
    const fake = fakeTslab(false);
    (globalThis as { __tslab__?: unknown }).__tslab__ = { require: (id: string) => (id === 'tslab' ? fake.tslab : undefined) };
    await showChart(spec);
    showTable([{ a: 1 }]);
    const live = new LiveOutput();
    live.update({ 'text/html': '<b>1</b>', 'text/plain': '1' });
    live.update({ 'text/html': '<b>2</b>', 'text/plain': '2' });
    const calls = fake.tslab.calls as Array<{ id?: string; mime: string; data: string }>;
    // PNG, the one format Jupyter Notebook draws in a notebook it does not trust
    assert.deepEqual(calls.map((c) => c.mime), ['image/png', 'text/html', 'text/html', 'text/html']);
    assert.deepEqual([...(calls[0].data as unknown as Buffer).subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.equal(calls[0].id, undefined);
    assert.equal(calls[2].id, 'live1');
    assert.equal(calls[3].id, 'live1');
    fs.rmSync(fake.dir, { recursive: true, force: true });
  });

  it('a broken hook means "not in a kernel"', () => {
    (globalThis as { __tslab__?: unknown }).__tslab__ = { require: () => { throw new Error('nope'); } };
    assert.equal(inTslabKernel(), false);
  });
});
