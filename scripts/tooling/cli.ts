/** Small helpers for the course scripts' command lines. */
import * as fs from 'node:fs';
import { ParseArgsConfig, parseArgs } from 'node:util';

/**
 * `util.parseArgs`, with the script's usage after a command-line mistake (an unknown option, an option without its
 * value), so the user sees at once what the script takes.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) throw new Error(`${(error as Error).message}\n${usage}`);
    throw error;
  }
}

/** A folder the user named on the command line, or a clear error naming the option when there is none. */
export function existingFolder(flag: string, value: string): string {
  if (!fs.existsSync(value)) throw new Error(`${flag} ${value}: no such folder`);
  if (!fs.statSync(value).isDirectory()) throw new Error(`${flag} ${value}: not a folder`);
  return value;
}

/** A positive number option, or the default when absent; clear error otherwise. */
export function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} '${value}': expected a positive number`);
  return parsed;
}

/** A positive whole-number option, or the default when absent. */
export function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  const parsed = positiveNumber(flag, value, fallback);
  if (!Number.isInteger(parsed)) throw new Error(`${flag} '${value}': expected a positive whole number`);
  return parsed;
}

/** One of `allowed`, or the default when absent. */
export function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${flag} '${value}': expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** A comma-separated list of `allowed` values, or the default when absent. */
export function choiceList<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (value === undefined) return [...fallback];
  return value.split(',').map((item) => choice(flag, item.trim(), allowed, allowed[0]));
}

/**
 * The command line shared by scripts that take notebooks or folders and `-o DIR`: prints `usage` for `-h`/`--help`
 * and returns undefined then, so the script exits 0.
 */
export function parseNotebooksAndOutput(usage: string): { positionals: string[]; output?: string } | undefined {
  const { values, positionals } = parseCommandLine(
    { allowPositionals: true, options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } },
    usage,
  );
  if (values.help) {
    console.log(usage);
    return undefined;
  }
  return { positionals, output: values.output };
}
