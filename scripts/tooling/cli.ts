/** Small helpers for the course scripts' command lines. */
import { parseArgs } from 'node:util';

/** A positive number option, or the default when absent; clear error otherwise. */
export function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} '${value}': expected a positive number`);
  return parsed;
}

/**
 * The command line shared by scripts that take notebooks or folders and `-o DIR`: prints `usage` for `-h`/`--help`
 * and returns undefined then, so the script exits 0.
 */
export function parseNotebooksAndOutput(usage: string): { positionals: string[]; output?: string } | undefined {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(usage);
    return undefined;
  }
  return { positionals, output: values.output };
}
