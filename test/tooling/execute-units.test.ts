/** Pieces of `npm run execute` and `npm run handouts` that need no kernel: shards, notebook lists, resource scan. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalResources } from '../../scripts/tooling/external-resources';
import { typesetHandoutMath } from '../../scripts/tooling/handout-math';
import { plainText } from '../../scripts/tooling/handouts';
import { courseNotebooks, expandNotebookArgs } from '../../scripts/tooling/notebook-list';
import { mapWithConcurrency } from '../../scripts/tooling/pool';
import { parseShard, selectShard } from '../../scripts/tooling/shard';
import { scratchDir } from './helpers';

describe('execute: shards, lists and concurrency', () => {
  it('splits a list into disjoint round-robin shards that cover it', () => {
    const items = ['00', '01', '02', '03', '04', '05', '06'];
    const shards = [0, 1, 2].map((i) => selectShard(items, parseShard(`${i}/3`)));
    assert.deepEqual(shards, [['00', '03', '06'], ['01', '04'], ['02', '05']]);
    assert.deepEqual(shards.flat().sort(), items);
    assert.throws(() => parseShard('3/3'), /0\.\.2/);
    assert.throws(() => parseShard('1-3'), /expected i\/n/);
    assert.throws(() => parseShard('0/0'), /at least 1/);
  });

  it('finds the numbered course notebooks and expands folders in course order', () => {
    const dir = scratchDir('lists');
    fs.mkdirSync(path.join(dir, 'notebooks'));
    for (const name of ['02-cnn.ipynb', '00-setup.ipynb', 'plot-gallery.ipynb', '10-extra.ipynb', 'notes.txt']) {
      fs.writeFileSync(path.join(dir, 'notebooks', name), '{}');
    }
    assert.deepEqual(courseNotebooks(dir).map((f) => path.basename(f)), ['00-setup.ipynb', '02-cnn.ipynb', '10-extra.ipynb']);
    assert.deepEqual(
      expandNotebookArgs(['notebooks'], dir).map((f) => path.basename(f)),
      ['00-setup.ipynb', '02-cnn.ipynb', '10-extra.ipynb', 'plot-gallery.ipynb'],
    );
    assert.throws(() => expandNotebookArgs(['missing.ipynb'], dir), /no such notebook/);
    assert.throws(() => expandNotebookArgs(['notebooks/notes.txt'], dir), /not a notebook/);
  });

  it('never runs more than the limit at once and keeps the order of results', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([30, 10, 20, 5, 15], 2, async (ms, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i;
    });
    assert.equal(peak, 2);
    assert.deepEqual(results, [0, 1, 2, 3, 4]);
  });
});

describe('handouts: external resource scan', () => {
  it('lists what a browser would fetch and ignores inline data, fragments and plain links', () => {
    const html = `<html><head>
      <script src="https://cdn.example/require.js"></script>
      <link rel="stylesheet" href="theme.css"><link rel="canonical" href="https://example.org/">
      <style>/* see https://example.org */ .a { background: url("data:image/png;base64,AAA"); }
        .b { background: url(https://img.example/b.png); } @import url('fonts.css');</style></head>
      <body><img src="data:image/png;base64,AAAA"><img src='chart.png'><a href="https://example.org">x</a>
      <svg><use href="#shape"/></svg><div style="background-image: url(/x.png)"></div></body></html>`;
    assert.deepEqual(externalResources(html).sort(), [
      '/x.png',
      'chart.png',
      'fonts.css',
      'https://cdn.example/require.js',
      'https://img.example/b.png',
      'theme.css',
    ]);
    assert.deepEqual(externalResources('<img src="data:image/svg+xml;charset=utf-8,%3Csvg%3E">'), []);
  });

  it('typesets TeX in Markdown cells only, leaving code, prices and outputs alone', () => {
    const html =
      '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown"><p>Rate $\\lambda_{max}$, $$\\frac1n\\sum_i x_i$$, ' +
      '$x &lt; y$. Costs $5 and $10. <code>${a}$</code></p></div><div class="jp-OutputArea"><pre>$z$</pre>$w$</div>';
    const { html: out, rendered, failed } = typesetHandoutMath(html);
    assert.equal(rendered, 3);
    assert.deepEqual(failed, []);
    assert.equal((out.match(/<math /g) ?? []).length, 3);
    assert.match(out, /<math [^>]*display="block"/);
    assert.match(out, /<mo>&lt;<\/mo>/, 'entities decoded before typesetting');
    assert.match(out, /Costs \$5 and \$10\. <code>\$\{a\}\$<\/code>/);
    assert.match(out, /<pre>\$z\$<\/pre>\$w\$<\/div>$/);
    assert.deepEqual(typesetHandoutMath('<div class="jp-RenderedMarkdown">$\\frac{$</div>').failed, ['\\frac{']);
    const wrapped = typesetHandoutMath('<div class="jp-RenderedMarkdown">maps $x \\mapsto\n\\nabla f(x)$; $a\n\nb$</div>');
    assert.equal(wrapped.rendered, 1, 'a line break inside inline math is fine, a blank line ends it');
  });

  it('turns Markdown headings into plain titles', () => {
    assert.equal(plainText('Plot gallery: helpers of `@dl-course/lib`'), 'Plot gallery: helpers of @dl-course/lib');
    assert.equal(plainText('**Bold** [link](https://x.org) _it_ snake_case'), 'Bold link it snake_case');
  });
});
