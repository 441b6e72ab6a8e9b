/** Reading vega's SVG output in tests: items of named marks, axis titles, PNG sizes. */
import { strict as assert } from 'node:assert';
import { compileChartSpec, ChartSpec, renderChartSvgDetailed } from '../../lib/src/plot/render';

/**
 * Number of items drawn by the vega mark groups called `<name>_marks` (vega-lite names a unit
 * spec's marks after its `name`). Items are the direct path/image/text children of those groups.
 */
export function countMarkItems(svg: string, name: string): number {
  const open = new RegExp(`<g class="mark-(\\w+) role-mark ${name}_marks"[^>]*>`, 'g');
  let total = 0;
  let groups = 0;
  for (const m of svg.matchAll(open)) {
    groups++;
    const start = m.index! + m[0].length;
    const end = svg.indexOf('</g>', start);
    const body = svg.slice(start, end);
    total += (body.match(/<(path|image|text)\b/g) ?? []).length;
  }
  assert.ok(groups > 0, `no mark group named ${name}_marks in the SVG`);
  return total;
}

export function axisTitles(svg: string): string[] {
  const titles: string[] = [];
  for (const m of svg.matchAll(/<g class="mark-text role-axis-title"[^>]*>(.*?)<\/g>/g)) {
    for (const t of m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)) titles.push(t[1]);
  }
  return titles;
}

/** Compiles and renders a spec, failing on any vega-lite or vega warning. */
export async function renderClean(spec: ChartSpec): Promise<string> {
  const { warnings } = compileChartSpec(spec);
  assert.deepEqual(warnings, [], 'vega-lite compile warnings');
  const result = await renderChartSvgDetailed(spec);
  assert.deepEqual(result.warnings, [], 'render warnings');
  assert.match(result.svg, /^<svg\b/);
  return result.svg;
}
