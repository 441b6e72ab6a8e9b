/**
 * The course seed. TF.js has no global seed, so every random choice in the course (data splits and shuffles, toy
 * data, weight initialisers) takes a seed, and by default that seed comes from here: `COURSE_SEED` changes them all.
 */

/** The seed every run starts from unless `COURSE_SEED` says otherwise. */
export const DEFAULT_SEED = 42;

/** The run's seed: `COURSE_SEED` (an integer), else {@link DEFAULT_SEED}. */
export function courseSeed(): number {
  const raw = process.env.COURSE_SEED;
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`COURSE_SEED must be an integer, got '${raw}'`);
  return seed;
}

/**
 * The seed of one separate random draw of a run, e.g. a validation set beside its training set:
 * `derivedSeed(1)` is the course seed moved by 1, so the draws differ from each other and all follow `COURSE_SEED`.
 * Give each draw its own `stream` number.
 */
export function derivedSeed(stream: number, base: number = courseSeed()): number {
  if (!Number.isInteger(stream) || stream < 0) throw new Error(`derivedSeed: stream must be an integer >= 0, got ${stream}`);
  if (!Number.isInteger(base)) throw new Error(`derivedSeed: base seed must be an integer, got ${base}`);
  return base + stream;
}
