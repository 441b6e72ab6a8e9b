/**
 * Shared layout for charts made of small pictures with captions (image grids, conv filters,
 * feature maps): one view, pixel coordinates (scale: null), image marks holding PNG data URLs.
 */
import type { TopLevelSpec } from 'vega-lite';
import { PixelImage, pngDataUrl, upscaleNearest } from '../png-encode';
import { ChartOptions, finishSpec } from './common';

export interface Tile {
  image: PixelImage;
  caption?: string;
  /** Second caption line (e.g. the true label of a wrong prediction). */
  note?: string;
  /** 'wrong' draws the captions in red, 'right' in green, 'plain' in grey. */
  status?: 'right' | 'wrong' | 'plain';
}

export interface TileLayoutOptions extends ChartOptions {
  columns?: number;
  /** Integer magnification of every tile (default: tiles about 56 px across). */
  zoom?: number;
}

const GAP = 6;
const LINE = 13;

export function tiledImagesSpec(tiles: Tile[], options: TileLayoutOptions): TopLevelSpec {
  if (tiles.length === 0) throw new Error('no images to show');
  const { width: w, height: h } = tiles[0].image;
  const zoom = options.zoom ?? Math.max(1, Math.round(56 / Math.max(w, h)));
  const columns = Math.max(1, Math.min(options.columns ?? 8, tiles.length));
  const lines = tiles.some((t) => t.note) ? 2 : tiles.some((t) => t.caption) ? 1 : 0;
  // room for the longest caption (about 6 px per character at font size 10)
  const longest = Math.max(0, ...tiles.map((t) => Math.max((t.caption ?? '').length, (t.note ?? '').length)));
  const cellW = Math.max(w * zoom, 28, Math.ceil(longest * 6));
  const cellH = h * zoom + lines * LINE;
  const rowsCount = Math.ceil(tiles.length / columns);
  const records = tiles.map((t, i) => {
    if (t.image.width !== w || t.image.height !== h) throw new Error(`image ${i} is ${t.image.width}x${t.image.height}, image 0 is ${w}x${h}`);
    const col = i % columns;
    const row = Math.floor(i / columns);
    const left = col * (cellW + GAP) + Math.floor((cellW - w * zoom) / 2);
    const top = row * (cellH + GAP);
    return {
      index: i,
      left,
      top,
      centre: col * (cellW + GAP) + cellW / 2,
      captionY: top + h * zoom + LINE - 2,
      noteY: top + h * zoom + 2 * LINE - 2,
      url: pngDataUrl(upscaleNearest(t.image, zoom)),
      caption: t.caption ?? '',
      note: t.note ?? '',
      status: t.status ?? 'plain',
    };
  });
  const pixel = (field: string) => ({ field, type: 'quantitative', scale: null, axis: null });
  const statusColor = {
    field: 'status',
    type: 'nominal',
    scale: { domain: ['right', 'wrong', 'plain'], range: ['#1a7f37', '#cf222e', '#333333'] },
    legend: null,
  };
  const captionLayer = (name: string, textField: string, yField: string) => ({
    name,
    transform: [{ filter: `datum.${textField} != ''` }],
    mark: { type: 'text', fontSize: 10, baseline: 'alphabetic', align: 'center' },
    encoding: { x: pixel('centre'), y: pixel(yField), text: { field: textField }, color: statusColor },
  });
  return finishSpec(
    {
      width: columns * (cellW + GAP) - GAP,
      height: rowsCount * (cellH + GAP) - GAP,
      data: { values: records },
      layer: [
        {
          name: 'images',
          mark: { type: 'image', width: w * zoom, height: h * zoom, align: 'left', baseline: 'top', aria: false },
          encoding: { x: pixel('left'), y: pixel('top'), url: { field: 'url' } },
        },
        ...(lines >= 1 ? [captionLayer('captions', 'caption', 'captionY')] : []),
        ...(lines >= 2 ? [captionLayer('notes', 'note', 'noteY')] : []),
      ],
    },
    options,
    true,
  );
}
