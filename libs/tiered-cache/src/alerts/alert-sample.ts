import type { CacheStats } from '../core/stats.js';
import type { L3Size } from './l3-size.probe.js';
import type { LoaderRunCounts } from './loader-runs.js';
import type { WriteBehindStatus } from '../write-behind/write-behind.types.js';

/** What the in-app evaluator sees at one instant: the same numbers `/metrics` exposes. */
export interface AlertSample {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly stats: CacheStats;
  readonly loaderRuns: LoaderRunCounts;
  /** The PostgreSQL LISTEN listener, when one was given. */
  readonly listenerConnected?: boolean;
  /** The L3 table's size, when the maintenance module is there to read it. */
  readonly l3?: L3Size;
  /** The write-behind queue, when one was given and could be read. */
  readonly writeBehind?: WriteBehindStatus;
}

/**
 * The oldest sample inside `windowMs` before the newest, and the newest: what a PromQL
 * `increase(x[window])` spans. `undefined` with fewer than two samples.
 */
export function windowEnds(samples: readonly AlertSample[], windowMs: number): [AlertSample, AlertSample] | undefined {
  const last = samples.at(-1);
  if (!last || samples.length < 2) return undefined;
  const first = samples.find((sample) => sample.at >= last.at - windowMs);
  return first && first !== last ? [first, last] : undefined;
}
