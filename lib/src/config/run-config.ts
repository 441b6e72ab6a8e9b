/** Everything a run is configured by, in one object: what a notebook prints at its start and a script logs. */
import { CourseProfile, courseProfile } from './profile';
import { courseSeed } from './seed';
import { dataDir, resultsDir } from './folders';
import { projectRoot } from './project-root';

export interface RunConfig {
  /** `COURSE_PROFILE`: smoke or full. */
  profile: CourseProfile;
  /** `COURSE_SEED`: the seed every random choice derives from. */
  seed: number;
  /** The course's project root. */
  projectRoot: string;
  /** `DATASETS_DIR`, else `<root>/datasets/cache`. */
  dataDir: string;
  /** `COURSE_RESULTS_DIR`, else `<root>/results`; a run writes `<resultsDir>/<profile>/<notebook>.json`. */
  resultsDir: string;
}

/** The configuration of this process, read from the environment now. */
export function runConfig(): RunConfig {
  return { profile: courseProfile(), seed: courseSeed(), projectRoot: projectRoot(), dataDir: dataDir(), resultsDir: resultsDir() };
}
