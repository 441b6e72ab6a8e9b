/**
 * Finds everything in an HTML page that a browser would fetch on opening it: script/img/iframe/... sources, linked
 * stylesheets, CSS url() and @import. Inline data (data: URLs) and in-page fragments (#id) are fine. Plain links
 * (<a href>) are not fetched until clicked, so they are not listed.
 */
const RESOURCE_ATTRIBUTE =
  /<(script|img|iframe|video|audio|source|track|embed|object|image|use|link|input)\b[^>]*?\s(src|href|xlink:href|data|srcset|poster)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const CSS_URL = /url\(\s*(['"]?)([^'")]*)\1\s*\)/gi;
const CSS_IMPORT = /@import\s+(?:url\()?\s*['"]?([^'")\s;]+)/gi;

export function externalResources(html: string): string[] {
  const found = new Set<string>();
  for (const match of html.matchAll(RESOURCE_ATTRIBUTE)) {
    const value = (match[4] ?? match[5] ?? match[6] ?? '').trim();
    const tag = (match[1] ?? '').toLowerCase();
    if (tag === 'link' && !/rel\s*=\s*["']?(stylesheet|icon|preload|prefetch|modulepreload|manifest)/i.test(match[0])) {
      continue;
    }
    if (isFetched(value)) found.add(value);
  }
  for (const css of styleTexts(html)) {
    const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
    for (const match of withoutComments.matchAll(CSS_URL)) if (isFetched(match[2] ?? '')) found.add(match[2] ?? '');
    for (const match of withoutComments.matchAll(CSS_IMPORT)) if (isFetched(match[1] ?? '')) found.add(match[1] ?? '');
  }
  return [...found];
}

function isFetched(value: string): boolean {
  const v = value.trim();
  return v !== '' && !v.startsWith('data:') && !v.startsWith('#') && !v.startsWith('about:');
}

/** Contents of <style> blocks and style="" attributes. */
function styleTexts(html: string): string[] {
  const blocks = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1] ?? '');
  const attributes = [...html.matchAll(/\sstyle\s*=\s*("([^"]*)"|'([^']*)')/gi)].map((m) => m[2] ?? m[3] ?? '');
  return [...blocks, ...attributes];
}
