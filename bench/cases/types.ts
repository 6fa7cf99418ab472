import type { BenchEnv } from '../lib/env.js';
import type { MeasureOptions } from '../lib/measure.js';
import type { CaseReport } from '../lib/report.js';

/** Knobs of one run: `--quick` shrinks them so that the whole bench stays under 5 minutes. */
export interface RunSettings {
  quick: boolean;
  /** Interleaved rounds and time per subject for the throughput cases. */
  measure: MeasureOptions;
  /** Repetitions of the stampede (each 1,000 calls on a fresh key). */
  stampedeRepeats: number;
  /** Entry counts of the tag-invalidation case, smallest first. */
  tagCounts: number[];
  /** Rounds of the tag-invalidation case (3 invalidations of each tag per round). */
  tagRepeats: number;
}

export interface CaseContext {
  env: BenchEnv;
  settings: RunSettings;
  /** Progress on stderr, so that stdout keeps the tables. */
  log(message: string): void;
}

/**
 * One case of issue 6. Each lives in its own file under `bench/cases/` and is listed in
 * `bench/cases/index.ts`; the runner runs them in order and writes their reports.
 */
export interface BenchCase {
  /** `1`, `2`, ... or `1b` for a variant; `--only=<id>` selects. */
  id: string;
  title: string;
  run(context: CaseContext): Promise<CaseReport>;
}
