/** Small helpers for the course scripts' command lines. */

/** A positive number option, or the default when absent; clear error otherwise. */
export function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} '${value}': expected a positive number`);
  return parsed;
}
