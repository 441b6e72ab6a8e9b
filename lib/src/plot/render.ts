/**
 * Rendering with no browser: vega-lite spec -> vega spec -> SVG (vega's headless View.toSVG) -> PNG
 * (resvg, a prebuilt binary from npm). Compile warnings are collected, not printed to the console.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { findPlotFonts, warnIfNoFonts } from './fonts';

export type ChartSpec = TopLevelSpec;

export interface CompiledChart {
  vegaSpec: vega.Spec;
  /** Warnings from vega-lite's compiler (empty for a clean spec). */
  warnings: string[];
}

/**
 * Collects vega-lite / vega log calls instead of letting them reach the console. Methods are
 * closures because vega calls them with another `this`.
 */
function collectingLogger(): { logger: vega.LoggerInterface; messages: string[] } {
  const messages: string[] = [];
  let levelValue = vega.Warn;
  const logger = {
    level(value?: number) {
      if (value === undefined) return levelValue;
      levelValue = value;
      return logger;
    },
    error: (...args: unknown[]) => (messages.push(`error: ${args.map(String).join(' ')}`), logger),
    warn: (...args: unknown[]) => (messages.push(`warn: ${args.map(String).join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  return { logger: logger as unknown as vega.LoggerInterface, messages };
}

export function compileChartSpec(spec: ChartSpec): CompiledChart {
  const { logger, messages } = collectingLogger();
  // vega tags inline data objects in place; compile a copy so the caller's spec stays plain JSON
  const { spec: vegaSpec } = vl.compile(JSON.parse(JSON.stringify(spec)), { logger });
  return { vegaSpec, warnings: messages };
}

export interface SvgRenderResult {
  svg: string;
  width: number;
  height: number;
  /** vega-lite compile warnings plus vega runtime warnings. */
  warnings: string[];
}

/**
 * Renders a chart to SVG. Element ids (clip paths, gradients) get a prefix derived from the chart,
 * because several charts are inlined in one HTML handout and vega numbers ids from 1 in each.
 */
export async function renderChartSvgDetailed(spec: ChartSpec): Promise<SvgRenderResult> {
  const { vegaSpec, warnings } = compileChartSpec(spec);
  const { logger, messages } = collectingLogger();
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', logger });
  try {
    const raw = await view.toSVG();
    const svg = prefixSvgIds(roundSvgGeometry(raw));
    const size = readSvgSize(svg);
    return { svg, ...size, warnings: [...warnings, ...messages] };
  } finally {
    view.finalize();
  }
}

export async function renderChartSvg(spec: ChartSpec): Promise<string> {
  return (await renderChartSvgDetailed(spec)).svg;
}

/**
 * Rounds coordinates in path data and transforms to 2 decimals (vega writes 25.999999999999993):
 * a third smaller SVG, no visible change. Text content (tick labels) is left alone.
 */
export function roundSvgGeometry(svg: string): string {
  return svg.replace(/ (d|transform)="([^"]*)"/g, (_all, attr: string, value: string) => {
    const rounded = value.replace(/-?\d*\.\d{3,}(e-?\d+)?/g, (n) => String(Number(Number(n).toFixed(2))));
    return ` ${attr}="${rounded}"`;
  });
}

export function prefixSvgIds(svg: string): string {
  const prefix = 'c' + createHash('sha1').update(svg).digest('hex').slice(0, 8) + '-';
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  if (ids.size === 0) return svg;
  return svg
    .replace(/(\sid=")([^"]+)"/g, (all, lead: string, id: string) => `${lead}${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : all))
    .replace(/(href=")#([^"]+)"/g, (all, lead: string, id: string) => (ids.has(id) ? `${lead}#${prefix}${id}"` : all));
}

export function readSvgSize(svg: string): { width: number; height: number } {
  const head = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(head)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(head)?.[1]);
  if (!Number.isFinite(width) || !Number.isFinite(height)) throw new Error('SVG without numeric width/height');
  return { width, height };
}

export interface PngOptions {
  /** Pixel density: 2 gives sharp images on high-DPI screens and in print (default 2). */
  scale?: number;
  /** Background colour; the chart's own background shows through where this is unset. */
  background?: string;
}

/** Rasterises an SVG string with resvg, using system fonts for the text. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 2;
  if (!(scale > 0)) throw new Error(`svgToPng: scale must be > 0, got ${scale}`);
  warnIfNoFonts();
  const fonts = findPlotFonts();
  const font = {
    loadSystemFonts: true,
    fontDirs: process.env.PLOT_FONT_DIR ? [process.env.PLOT_FONT_DIR] : [],
    ...(fonts.sansSerifFamily ? { sansSerifFamily: fonts.sansSerifFamily, defaultFontFamily: fonts.sansSerifFamily } : {}),
  };
  const resvg = new Resvg(svg, {
    font,
    fitTo: { mode: 'zoom', value: scale },
    ...(options.background ? { background: options.background } : {}),
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

export async function renderChartPng(spec: ChartSpec, options: PngOptions = {}): Promise<Buffer> {
  return svgToPng(await renderChartSvg(spec), options);
}

/**
 * Writes a chart next to the notebook or script: `.svg`, `.png` or `.json` (the vega-lite spec,
 * for the online editor) chosen by the file extension. Returns the absolute path.
 */
export async function saveChart(spec: ChartSpec, file: string, options: PngOptions = {}): Promise<string> {
  const ext = path.extname(file).toLowerCase();
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  if (ext === '.svg') fs.writeFileSync(abs, await renderChartSvg(spec));
  else if (ext === '.png') fs.writeFileSync(abs, await renderChartPng(spec, options));
  else if (ext === '.json') fs.writeFileSync(abs, JSON.stringify(spec, null, 1));
  else throw new Error(`saveChart: unknown extension "${ext}" (use .svg, .png or .json)`);
  return abs;
}
