/**
 * When the engine takes webgpu on its own: only on a hardware adapter; and on a machine without a GPU driver it loads
 * nothing of WebGPU and prints nothing.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initEngine } from '../../lib/src/engine';
import { skipBecause } from '../skip-reasons';
import { type WebGpuAdapterInfo, adapterName, isSoftwareAdapter, missingGpuDriver } from '../../lib/src/engine/webgpu-adapter';

const lavapipe: WebGpuAdapterInfo = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
  isFallbackAdapter: true,
};
/** /etc/vulkan/icd.d is searched whatever the environment says: tests of "no driver" need it without manifests. */
const etcHasDrivers = (() => {
  try {
    return fs.readdirSync('/etc/vulkan/icd.d').some((f) => f.endsWith('.json'));
  } catch {
    return false;
  }
})();
const nvidia: WebGpuAdapterInfo = { vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA GeForce RTX 4070' };

describe('engine: when webgpu is chosen', () => {
  it('tells software adapters from GPUs by what the adapter says of itself', () => {
    assert.equal(isSoftwareAdapter(lavapipe), true);
    assert.equal(isSoftwareAdapter({ ...lavapipe, isFallbackAdapter: undefined, architecture: '' }), true, 'by its name alone');
    assert.equal(isSoftwareAdapter({ vendor: 'google', architecture: '', device: 'SwiftShader Device (Subzero)', description: '' }), true);
    assert.equal(isSoftwareAdapter(nvidia), false);
    assert.equal(adapterName(nvidia), 'NVIDIA GeForce RTX 4070');
    assert.match(adapterName(lavapipe), /^llvmpipe: Mesa .* \(software\)$/);
  });

  it('on Linux, finds no GPU driver where no Vulkan driver manifest is installed (and never asks elsewhere)', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-vulkan-'));
    const nowhere = { XDG_CONFIG_HOME: empty, XDG_CONFIG_DIRS: empty, XDG_DATA_HOME: empty, XDG_DATA_DIRS: empty };
    if (!etcHasDrivers) assert.match(String(missingGpuDriver(nowhere, 'linux')), /no Vulkan driver/);
    fs.mkdirSync(path.join(empty, 'vulkan', 'icd.d'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'vulkan', 'icd.d', 'some_icd.json'), '{}');
    assert.equal(missingGpuDriver(nowhere, 'linux'), undefined);
    assert.equal(missingGpuDriver({ ...nowhere, VK_DRIVER_FILES: '/x.json' }, 'linux'), undefined);
    assert.equal(missingGpuDriver(nowhere, 'darwin'), undefined);
    fs.rmSync(empty, { recursive: true });
  });

  it('skips webgpu on its own unless the adapter is a GPU, and says why', async () => {
    const saved = process.env.TFJS_BACKEND;
    delete process.env.TFJS_BACKEND;
    try {
      const info = await initEngine({ verbose: false });
      if (info.backend === 'webgpu') {
        assert.equal(info.device, 'gpu', `chose a software adapter: ${info.adapter}`);
        return;
      }
      const why = info.skipped.find((s) => s.backend === 'webgpu')?.why;
      assert.match(String(why), /software adapter|no Vulkan driver|no WebGPU adapter|probe/);
    } finally {
      if (saved !== undefined) process.env.TFJS_BACKEND = saved;
    }
  });

  it('without a GPU driver, starts as before: loads no WebGPU code and prints nothing', function () {
    if (process.platform !== 'linux') skipBecause(this, 'WebGPU needs no driver check outside Linux');
    if (etcHasDrivers) skipBecause(this, '/etc/vulkan/icd.d has a Vulkan driver: no environment hides it');
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-vulkan-'));
    const script = `
      const { initEngine } = require('./lib/src/engine');
      initEngine({ verbose: false }).then((info) => {
        const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](webgpu|@tensorflow[\\\\/]tfjs-backend-webgpu)[\\\\/]/.test(f));
        process.stdout.write(JSON.stringify({ backend: info.backend, webgpu: info.skipped.find((s) => s.backend === 'webgpu'), loaded }));
      });`;
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: empty, XDG_CONFIG_DIRS: empty, XDG_DATA_HOME: empty, XDG_DATA_DIRS: empty };
    delete env.TFJS_BACKEND;
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { env, encoding: 'utf8' });
    fs.rmSync(empty, { recursive: true });
    assert.equal(child.stderr, '', 'printed on stderr');
    const { backend, webgpu, loaded } = JSON.parse(child.stdout);
    assert.equal(backend, 'wasm');
    assert.match(webgpu.why, /no Vulkan driver/);
    assert.deepEqual(loaded, []);
  });
});
