/**
 * Typesets the TeX in a handout's Markdown cells as MathML at export time, with KaTeX. The usual export loads MathJax
 * from a CDN when the page opens; MathML is drawn by the browser itself, so the page needs no script, font or
 * request. Only text inside Markdown cells is touched, never code (<code>, <pre>) or outputs.
 *
 *   $$ ... $$  display math        $ ... $  inline math (no space just inside the dollars, as in Pandoc, so
 *                                            "costs $5 and $10" stays text)
 */
import katex from 'katex';

const MARKDOWN_DIV = /\bjp-RenderedMarkdown\b/;
const SKIPPED_ELEMENTS = new Set(['code', 'pre', 'script', 'style', 'svg', 'math', 'textarea']);
const DISPLAY_MATH = /\$\$([\s\S]+?)\$\$/g;
// A single line break may fall inside inline math (Markdown source wraps); a blank line may not.
const INLINE_MATH = /(?<![\\$\w])\$(?![\s$])((?:\\\$|[^$\n]|\n(?!\n))+?)(?<![\s\\])\$(?![\w$])/g;

export interface MathResult {
  html: string;
  rendered: number;
  /** TeX that KaTeX could not typeset; it is left as written. */
  failed: string[];
}

export function typesetHandoutMath(html: string): MathResult {
  let rendered = 0;
  const failed: string[] = [];
  const typeset = (tex: string, displayMode: boolean, original: string): string => {
    try {
      const mathml = katex.renderToString(decodeEntities(tex), {
        displayMode,
        output: 'mathml',
        throwOnError: true,
        strict: 'ignore',
      });
      rendered++;
      return mathml;
    } catch {
      failed.push(tex.trim());
      return original;
    }
  };
  const renderText = (text: string): string =>
    text
      .replace(DISPLAY_MATH, (whole, tex: string) => typeset(tex, true, whole))
      .replace(INLINE_MATH, (whole, tex: string) => typeset(tex, false, whole));

  // Walk tags and text; track whether we are inside a Markdown cell and outside code-like elements.
  const out: string[] = [];
  const divStack: boolean[] = []; // for each open <div>: does it start a Markdown cell?
  let markdownDepth = 0;
  const skipped: string[] = [];
  for (const token of html.split(/(<[^>]*>)/)) {
    if (token.startsWith('<')) {
      const tag = /^<\/?\s*([a-zA-Z][\w-]*)/.exec(token)?.[1]?.toLowerCase();
      const closing = token.startsWith('</');
      if (tag === 'div') {
        if (closing) {
          if (divStack.pop()) markdownDepth--;
        } else {
          const starts = MARKDOWN_DIV.test(token);
          divStack.push(starts);
          if (starts) markdownDepth++;
        }
      } else if (tag && SKIPPED_ELEMENTS.has(tag) && !token.endsWith('/>')) {
        if (closing) {
          if (skipped.at(-1) === tag) skipped.pop();
        } else {
          skipped.push(tag);
        }
      }
      out.push(token);
    } else {
      out.push(markdownDepth > 0 && skipped.length === 0 && token.includes('$') ? renderText(token) : token);
    }
  }
  return { html: out.join(''), rendered, failed };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}
