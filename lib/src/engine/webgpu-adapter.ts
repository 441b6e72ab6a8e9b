/**
 * Which WebGPU adapter this machine has, asked without a sound: the engine prefers webgpu only on a hardware GPU, and
 * must not slow down or print anything on the many machines without one.
 *
 * - On Linux, WebGPU (Dawn) runs on Vulkan: with no Vulkan driver manifest installed there is nothing to ask, and
 *   Dawn is not even loaded.
 * - Otherwise the adapter is requested in a child process, because Dawn writes its warnings (no Vulkan loader, limits
 *   a software driver reduces) straight to the process's stderr; the child's stderr becomes the reason, if needed.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What a WebGPU adapter says of itself (GPUAdapterInfo). */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

export type AdapterProbe = { info: WebGpuAdapterInfo } | { info: null; why: string };

/** True for an adapter that computes on the CPU (Mesa's llvmpipe/lavapipe, SwiftShader, Windows' WARP). */
export function isSoftwareAdapter(info: WebGpuAdapterInfo): boolean {
  if (info.isFallbackAdapter === true || info.architecture === 'software') return true;
  return /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i.test(`${info.device} ${info.description}`);
}

/** A short name for the adapter, e.g. "NVIDIA GeForce RTX 4070" or "llvmpipe: Mesa 25.0.7 (software)". */
export function adapterName(info: WebGpuAdapterInfo): string {
  const name = info.description || info.device || info.vendor || 'unnamed adapter';
  return isSoftwareAdapter(info) ? `${name} (software)` : name;
}

/** Where the Vulkan loader looks for driver manifests on Linux (its documented search path). */
function vulkanManifestFolders(env: NodeJS.ProcessEnv): string[] {
  const home = os.homedir();
  const configDirs = [env.XDG_CONFIG_HOME || path.join(home, '.config'), ...(env.XDG_CONFIG_DIRS || '/etc/xdg').split(':'), '/etc'];
  const dataDirs = [env.XDG_DATA_HOME || path.join(home, '.local/share'), ...(env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':')];
  return [...configDirs, ...dataDirs].filter(Boolean).map((dir) => path.join(dir, 'vulkan', 'icd.d'));
}

/** Why WebGPU cannot work here without asking Dawn (Linux with no Vulkan driver), else undefined. */
export function missingGpuDriver(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | undefined {
  if (platform !== 'linux') return undefined; // Metal on macOS, Direct3D 12 on Windows: always there
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.VK_ADD_DRIVER_FILES) return undefined;
  const hasManifest = vulkanManifestFolders(env).some((dir) => {
    try {
      return fs.readdirSync(dir).some((name) => name.endsWith('.json'));
    } catch {
      return false;
    }
  });
  return hasManifest ? undefined : 'no Vulkan driver is installed';
}

/** The child's program: print the adapter's info as JSON (null when there is none). */
const PROBE = `
const { create } = require(process.argv[1]);
const fields = ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter'];
create([]).requestAdapter({ powerPreference: 'high-performance' }).then(
  (adapter) => {
    const info = adapter && adapter.info;
    process.stdout.write(JSON.stringify(info ? Object.fromEntries(fields.map((f) => [f, info[f]])) : null));
    process.exit(0);
  },
  (error) => { console.error(String(error)); process.exit(1); });
`;

/** Ask for the high-performance adapter in a child process (about 0.1 s); never throws. */
export async function probeWebGpuAdapter(timeoutMs = 20_000): Promise<AdapterProbe> {
  const missing = missingGpuDriver();
  if (missing) return { info: null, why: missing };
  let dawn: string;
  try {
    dawn = require.resolve('webgpu');
  } catch {
    return { info: null, why: "the 'webgpu' package is not installed" };
  }
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', PROBE, dawn], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      const said = firstWarning(stderr);
      if (error) return resolve({ info: null, why: `the WebGPU adapter probe failed${error.killed ? ' (timed out)' : ''}${said ? `: ${said}` : ''}` });
      try {
        const info = JSON.parse(stdout) as WebGpuAdapterInfo | null;
        resolve(info ? { info } : { info: null, why: `no WebGPU adapter${said ? ` (${said})` : ''}` });
      } catch {
        resolve({ info: null, why: 'the WebGPU adapter probe printed no answer' });
      }
    });
  });
}

/** Dawn's first message, without its "Warning:" prefix and source location. */
function firstWarning(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '' && !/^\s+at /.test(l)) ?? '';
  return line.replace(/^Warning:\s*/, '').trim();
}
