/** Colour maps shared by the charts that draw pixels themselves (image marks) and by their legends. */

/** vega's default categorical scheme ("tableau10"), so image backgrounds match point colours. */
export const CATEGORY_COLORS = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b',
  '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
];

export type ColorMapName = 'greys' | 'viridis' | 'diverging';

// Anchor colours; values between anchors are interpolated linearly in RGB.
const ANCHORS: Record<ColorMapName, Array<[number, number, number]>> = {
  greys: [[0, 0, 0], [255, 255, 255]],
  viridis: [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]],
  diverging: [[33, 102, 172], [247, 247, 247], [178, 24, 43]],
};

/** Maps t in [0, 1] to an RGB triple of the named colour map. */
export function colorMapRgb(name: ColorMapName, t: number): [number, number, number] {
  const anchors = ANCHORS[name];
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = clamped * (anchors.length - 1);
  const i = Math.min(anchors.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = anchors[i];
  const b = anchors[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The vega-lite scheme name that matches each of our colour maps (for legends of rect heatmaps). */
export const VEGA_SCHEME: Record<ColorMapName, string> = {
  greys: 'greys',
  viridis: 'viridis',
  diverging: 'redblue',
};
