/**
 * How an error reads in a notebook. tslab prints a failing cell's error with `console.error(error)`, i.e. Node's full
 * inspection: ten frames of compiled JavaScript (most inside TF.js) and then the error's own fields, which repeat
 * its message. Inside a tslab kernel the course prints instead the headline, the few frames that are the cell's or
 * the course library's (TypeScript lines, through the library's source maps), and how many were left out.
 */
import { inspect } from 'node:util';

/** Frames a learner can act on: not Node's internals, not installed packages. */
function relevantFrame(line: string): boolean {
  return !/node:internal|[\\/]node_modules[\\/]|\(node:/.test(line);
}

/** `Name: message`, then at most `maxFrames` relevant frames and a count of the others. */
export function formatNotebookError(error: Error, maxFrames = 3): string {
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  const headline = `${error.name || 'Error'}: ${error.message}`;
  const shown = frames.filter(relevantFrame).slice(0, maxFrames);
  const hidden = frames.length - shown.length;
  const lines = [headline, ...shown.map((frame) => `    ${frame.trim()}`)];
  if (hidden > 0) lines.push(`    (${hidden} more frame${hidden === 1 ? '' : 's'}: print error.stack for all)`);
  return lines.join('\n');
}

let installed = false;

/**
 * In a tslab kernel, errors inspect as {@link formatNotebookError}: tslab prints a failing cell with a `console.error`
 * it captured at start-up (so patching `console` cannot reach it), and Node's inspection asks the error itself first
 * (`util.inspect.custom`). `console.log(error)` in a cell reads the same; `error.stack` keeps every frame. Returns
 * whether the display is installed.
 */
export function installNotebookErrorDisplay(): boolean {
  if (installed) return true;
  if (!(globalThis as { __tslab__?: unknown }).__tslab__) return false;
  Object.defineProperty(Error.prototype, inspect.custom, {
    value(this: Error) {
      return formatNotebookError(this);
    },
    configurable: true,
    writable: true,
  });
  installed = true;
  return true;
}
