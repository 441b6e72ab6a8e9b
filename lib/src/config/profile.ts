/**
 * Course profiles: `smoke` runs a notebook in seconds on tiny subsets (CI, quick checks); `full` produces the real
 * results on the full data. Notebooks read the profile from `COURSE_PROFILE` (default `full`).
 */

export type CourseProfile = 'smoke' | 'full';
export const COURSE_PROFILES: readonly CourseProfile[] = ['smoke', 'full'];

/** Parse a profile name; undefined or empty means the default, `full`. `label` names the source in errors. */
export function parseCourseProfile(value: string | undefined, label = 'COURSE_PROFILE'): CourseProfile {
  if (value === undefined || value.trim() === '') return 'full';
  const name = value.trim();
  if ((COURSE_PROFILES as readonly string[]).includes(name)) return name as CourseProfile;
  throw new Error(`${label}='${value}' is not a course profile; use one of: ${COURSE_PROFILES.join(', ')}`);
}

/** The profile this process runs in, from `COURSE_PROFILE` (default `full`). Throws on an unknown value. */
export function courseProfile(): CourseProfile {
  return parseCourseProfile(process.env.COURSE_PROFILE);
}

/** Pick the value for the current profile: `profileValue({ smoke: 200, full: 60000 })`. */
export function profileValue<T>(choices: { smoke: T; full: T }, profile: CourseProfile = courseProfile()): T {
  if (!(profile in choices)) throw new Error(`profileValue: no value given for profile '${profile}'`);
  return choices[profile];
}
