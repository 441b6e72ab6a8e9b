/**
 * Display in a tslab notebook, with a plain-Node fallback.
 *
 * tslab's public `display.raw(mime, data)` sends ONE mime type per output. A chart should carry
 * several in one output: vega-lite (interactive where the front end renders vega, e.g. JupyterLab),
 * SVG or PNG (shown by every front end, stored in the executed .ipynb, inlined by nbconvert's HTML
 * export) and text. tslab's kernel keeps the current cell's `writeDisplayData(content, update)` in
 * its `jupyter` module; we call it with a full mime bundle when it is there, and fall back to the
 * public one-mime API (static image only) when it is not.
 */
import { randomBytes } from 'crypto';
import * as path from 'path';
import { serializeKernelSends } from './kernel-sends';

export type MimeBundle = Record<string, unknown>;

/** Where display output goes; tests and other front ends can install their own with `setNotebookDisplaySink`. */
export interface DisplaySink {
  /** Show a bundle; with `displayId` and `update` true, replace the output shown earlier under that id. */
  show(bundle: MimeBundle, options?: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> }): void;
}

interface TslabDisplay {
  raw(contentType: string, data: string | Uint8Array): unknown;
}
interface TslabModule {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}
type WriteDisplayData = (content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } }, update: boolean) => void;

/** The tslab module of the running kernel, or null outside a kernel (plain Node, mocha, tsx). */
function kernelTslab(): TslabModule | null {
  // tslab defines __tslab__ (exports + a require that resolves 'tslab' to the kernel's own copy)
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (!hook || typeof hook.require !== 'function') return null;
  try {
    const mod = hook.require('tslab') as Partial<TslabModule> | null;
    return mod && mod.display && typeof mod.newDisplay === 'function' ? (mod as TslabModule) : null;
  } catch {
    return null;
  }
}

/** The kernel's writeDisplayData for the running cell, found next to the tslab module it loaded. */
function kernelWriteDisplayData(tslab: TslabModule): WriteDisplayData | null {
  const entry = Object.values(require.cache).find((m) => m?.exports === tslab);
  if (!entry) return null;
  const jupyter = require.cache[path.join(path.dirname(entry.filename), 'jupyter.js')]?.exports as
    | { lastWriteDisplayData?: unknown }
    | undefined;
  const write = jupyter?.lastWriteDisplayData;
  return typeof write === 'function' ? (write as WriteDisplayData) : null;
}

/** True when running inside a tslab kernel (a notebook cell), false in plain Node. */
export function inTslabKernel(): boolean {
  return kernelTslab() !== null;
}

/**
 * Static formats first: they are what survives export; the first present one is used when only one can be sent.
 * PNG before SVG: Jupyter Notebook draws PNG in a notebook it does not trust, SVG only in one it does.
 */
const SINGLE_MIME_PREFERENCE = ['image/png', 'image/svg+xml', 'text/html', 'text/markdown', 'text/plain'];

class TslabSink implements DisplaySink {
  private liveDisplays = new Map<string, TslabDisplay>();
  constructor(readonly tslab: TslabModule) {
    const entry = Object.values(require.cache).find((m) => m?.exports === tslab);
    if (entry) serializeKernelSends(entry.filename);
  }

  show(bundle: MimeBundle, options: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> } = {}): void {
    const write = kernelWriteDisplayData(this.tslab);
    if (write) {
      write({ data: bundle, metadata: options.metadata ?? {}, transient: options.displayId ? { display_id: options.displayId } : {} }, !!options.update);
      return;
    }
    const mime = SINGLE_MIME_PREFERENCE.find((m) => typeof bundle[m] === 'string');
    if (!mime) return;
    let data = bundle[mime] as string;
    if (mime === 'image/png') data = Buffer.from(data, 'base64') as unknown as string;
    if (!options.displayId) {
      this.tslab.display.raw(mime, data);
      return;
    }
    let live = this.liveDisplays.get(options.displayId);
    if (!live) {
      live = this.tslab.newDisplay();
      this.liveDisplays.set(options.displayId, live);
    }
    live.raw(mime, data);
  }
}

let sinkOverride: DisplaySink | null = null;
let tslabSink: TslabSink | null = null;

/** Routes notebook display output to `sink` (null restores the automatic choice). For tests and other front ends. */
export function setNotebookDisplaySink(sink: DisplaySink | null): void {
  sinkOverride = sink;
}

/** The sink for notebook output, or null when there is no notebook (plain Node). */
export function notebookDisplaySink(): DisplaySink | null {
  if (sinkOverride) return sinkOverride;
  const tslab = kernelTslab();
  if (!tslab) return null;
  if (!tslabSink || tslabSink.tslab !== tslab) tslabSink = new TslabSink(tslab);
  return tslabSink;
}

export function newDisplayId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * An output entry that can be replaced in place (progress, live charts). Each `update` replaces
 * what the previous one showed; outside a notebook `update` returns false and shows nothing.
 */
export class LiveOutput {
  private readonly id = newDisplayId();
  private shown = false;

  update(bundle: MimeBundle, metadata?: Record<string, unknown>): boolean {
    const sink = notebookDisplaySink();
    if (!sink) return false;
    sink.show(bundle, { displayId: this.id, update: this.shown, metadata });
    this.shown = true;
    return true;
  }
}
