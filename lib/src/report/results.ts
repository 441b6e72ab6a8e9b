/**
 * Records the key results of a notebook run into `results/<profile>/<notebook>.json` at the project root:
 *
 *   const run = startRun('01-mlp');
 *   run.record('spirals.valAccuracy', accuracy);   // computed in the notebook, never typed in
 *   run.save();
 *
 * The file also says where and how the numbers were made: backend, machine, wall time, versions, date, profile.
 * `COURSE_RESULTS_DIR` (or the `resultsDir` option) replaces `<root>/results`, e.g. for grading runs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { engineInfo } from '../engine';
import { collectMachineInfo, MachineInfo } from './machine';
import { CourseProfile, courseProfile, projectRoot, referenceResultsDir, resultsDir } from '../config';

export type ResultValue = number | string | boolean | null | ResultValue[] | { [key: string]: ResultValue };

export interface RunResults {
  notebook: string;
  profile: CourseProfile;
  /** ISO time the results were saved. */
  date: string;
  /** Seconds from `startRun` to `save`. */
  wallSeconds: number;
  values: Record<string, ResultValue>;
  /** `threads`: CPU threads of the wasm backend (absent in files written before it was recorded). */
  backend: { name: string; tfBackend: string; device: string; adapter?: string; threads?: number; reason: string } | null;
  machine: MachineInfo;
  versions: { node: string; tfjs: string; tfjsBackendWasm?: string };
  /** The git commit of the course checkout, when it is one. */
  commit?: string;
}

export interface StartRunOptions {
  /** Defaults to `courseProfile()` (from COURSE_PROFILE). */
  profile?: CourseProfile;
  /** Folder holding the per-profile folders; defaults to COURSE_RESULTS_DIR, else `<project root>/results`. */
  resultsDir?: string;
}

const NAME_PATTERN = /^[A-Za-z0-9][\w.-]*$/;

/** A run in progress: record values, then `save()`. */
export class ResultsRun {
  readonly notebook: string;
  readonly profile: CourseProfile;
  private readonly started = performance.now();
  private readonly recorded: Record<string, ResultValue> = {};
  private readonly resultsDir?: string;

  constructor(notebook: string, options: StartRunOptions = {}) {
    if (!NAME_PATTERN.test(notebook)) {
      throw new Error(`startRun: '${notebook}' is not a notebook name (letters, digits, '.', '-', '_'; no folders)`);
    }
    this.notebook = notebook;
    this.profile = options.profile ?? courseProfile();
    this.resultsDir = options.resultsDir;
  }

  /** Record one result under a dotted key such as `spirals.valAccuracy`; returns the value. */
  record<T extends ResultValue>(key: string, value: T): T {
    if (!NAME_PATTERN.test(key)) throw new Error(`record: '${key}' is not a result key (letters, digits, '.', '-', '_')`);
    checkValue(key, value);
    this.recorded[key] = value;
    return value;
  }

  /** Record several results at once: `run.recordAll({ 'mnist.testAccuracy': acc, 'mnist.epochs': epochs })`. */
  recordAll(values: Record<string, ResultValue>): void {
    for (const [key, value] of Object.entries(values)) this.record(key, value);
  }

  /** Run `fn`, record its duration in seconds under `key`, and return its result. */
  async time<T>(key: string, fn: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    const result = await fn();
    this.record(key, roundTo((performance.now() - start) / 1000, 3));
    return result;
  }

  /** The values recorded so far. */
  values(): Readonly<Record<string, ResultValue>> {
    return { ...this.recorded };
  }

  /** The results document as it would be saved now. */
  snapshot(): RunResults {
    const engine = engineInfo();
    const commit = gitCommit();
    return {
      notebook: this.notebook,
      profile: this.profile,
      date: new Date().toISOString(),
      wallSeconds: roundTo((performance.now() - this.started) / 1000, 2),
      values: { ...this.recorded },
      backend: engine
        ? {
            name: engine.backend,
            tfBackend: engine.tfBackend,
            device: engine.device,
            ...(engine.adapter === undefined ? {} : { adapter: engine.adapter }),
            ...(engine.threads === undefined ? {} : { threads: engine.threads }),
            reason: engine.reason,
          }
        : null,
      machine: collectMachineInfo(),
      versions: { node: process.version, tfjs: tf.version.tfjs, ...optionalVersion() },
      ...(commit ? { commit } : {}),
    };
  }

  /** Where `save()` writes. */
  filePath(): string {
    return path.join(resultsDir(this.resultsDir), this.profile, `${this.notebook}.json`);
  }

  /** Write the results file (replacing the previous run's) and return its path. */
  save(): string {
    const file = this.filePath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(this.snapshot(), null, 2) + '\n');
    return file;
  }
}

/** Start timing a notebook run whose results go to `results/<profile>/<notebook>.json`. */
export function startRun(notebook: string, options: StartRunOptions = {}): ResultsRun {
  return new ResultsRun(notebook, options);
}

/** Read and check a results file written by `ResultsRun.save()`. */
export function readRunResults(file: string): RunResults {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<RunResults>;
  for (const field of ['notebook', 'profile', 'date', 'wallSeconds', 'values', 'machine', 'versions'] as const) {
    if (parsed[field] === undefined) throw new Error(`${file}: not a results file (no '${field}')`);
  }
  return parsed as RunResults;
}

function checkValue(key: string, value: ResultValue): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`record: '${key}' is ${value}; only finite numbers can be recorded`);
  }
  if (Array.isArray(value)) value.forEach((v, i) => checkValue(`${key}[${i}]`, v));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkValue(`${key}.${k}`, v);
  } else if (!['number', 'string', 'boolean'].includes(typeof value) && value !== null) {
    throw new Error(`record: '${key}' has type ${typeof value}; record numbers, strings, booleans, arrays or objects`);
  }
}

function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function optionalVersion(): { tfjsBackendWasm?: string } {
  try {
    return { tfjsBackendWasm: (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version };
  } catch {
    return {};
  }
}

function gitCommit(): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: projectRoot(),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return out.toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A notebook's recorded results that a later lesson compares against. */
export interface EarlierResults {
  /** `'last run'`: this checkout's last run in the same profile; `'reference'`: the course's committed full run. */
  source: 'last run' | 'reference';
  file: string;
  results: RunResults;
}

/**
 * The results of an earlier lesson, for a later one's comparison table: this checkout's last run of `notebook` in
 * `profile` (default: the current one) when there is one, else the committed reference run, else `undefined`.
 */
export function earlierResults(notebook: string, options: StartRunOptions = {}): EarlierResults | undefined {
  if (!NAME_PATTERN.test(notebook)) throw new Error(`earlierResults: '${notebook}' is not a notebook name`);
  const profile = options.profile ?? courseProfile();
  const candidates: Array<[EarlierResults['source'], string]> = [
    ['last run', path.join(resultsDir(options.resultsDir), profile, `${notebook}.json`)],
    ['reference', path.join(referenceResultsDir(), 'full', `${notebook}.json`)],
  ];
  for (const [source, file] of candidates) {
    if (fs.existsSync(file)) return { source, file, results: readRunResults(file) };
  }
  return undefined;
}
