/** Measurements taken inside a page: the charts under a selector, with their size and how much of them is drawn. */
import type { Page } from 'playwright-core';

export interface ChartMeasure {
  tag: string;
  width: number;
  height: number;
  /** Pixels that are not background when the chart is drawn on a white canvas. */
  inkPixels: number;
}

export async function measureCharts(page: Page, selector: string): Promise<ChartMeasure[]> {
  return page.$$eval(selector, async (elements) => {
    const outermost = elements.filter((el) => !el.parentElement?.closest('svg'));
    return Promise.all(
      outermost.map(async (el) => {
        const box = el.getBoundingClientRect();
        const image = new Image();
        image.src =
          el instanceof HTMLImageElement
            ? el.src
            : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(el))}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.round(box.width));
        canvas.height = Math.max(1, Math.round(box.height));
        const ctx = canvas.getContext('2d')!;
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let inkPixels = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i]! < 240 || pixels[i + 1]! < 240 || pixels[i + 2]! < 240) inkPixels++;
        }
        return { tag: el.tagName.toLowerCase(), width: box.width, height: box.height, inkPixels };
      }),
    );
  });
}
