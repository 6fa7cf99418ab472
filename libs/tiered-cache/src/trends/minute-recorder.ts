import type { CacheObserver } from '../core/observer.js';
import { emptyTrendCounters, type TrendCounters } from './trends.counters.js';

export const MINUTE_MS = 60_000;

/** One minute of one instance, as written to `cache_stats_minute`. */
export interface MinuteRow extends TrendCounters {
  /** Start of the minute, epoch ms. */
  bucket: number;
}

/** Minutes kept while PostgreSQL cannot be written; older ones are dropped. */
export const MAX_PENDING_MINUTES = 60;

/**
 * Counts this instance's reads, hits per tier, tier errors, loads and bytes written per minute,
 * from the engine's observer hooks. {@link pending} gives every minute not yet known to be
 * written, each with its whole count so far; {@link written} forgets the finished ones once
 * stored. So a write that fails, or is repeated, leaves the table right after the next one.
 */
export class MinuteRecorder {
  private readonly minutes = new Map<number, TrendCounters>();
  private currentBucket = -1;
  private current: TrendCounters = emptyTrendCounters();

  constructor(private readonly now: () => number = Date.now) {}

  /** The hooks to register with `cache.observe(...)`. */
  readonly observer: CacheObserver = {
    call: (event) => {
      if ((event.operation !== 'get' && event.operation !== 'getOrSet') || event.answer === undefined) return;
      const counters = this.counters();
      counters.reads++;
      if (event.answer === 'l1') counters.l1Hits++;
      else if (event.answer === 'l2') counters.l2Hits++;
      else if (event.answer === 'l3') counters.l3Hits++;
      else return;
      counters.hits++;
    },
    tierOperation: (event) => {
      if (!event.ok) this.counters().errors++;
    },
    loader: (event) => {
      const counters = this.counters();
      const ms = event.seconds * 1_000;
      counters.loads++;
      if (!event.ok) counters.loadErrors++;
      counters.loadMsTotal += ms;
      if (ms > counters.loadMsMax) counters.loadMsMax = ms;
    },
    stored: (event) => {
      const counters = this.counters();
      counters.writes++;
      counters.bytesWritten += event.bytes;
    },
  };

  /** The minutes not yet written, oldest first (copies). */
  pending(): MinuteRow[] {
    return [...this.minutes].sort(([a], [b]) => a - b).map(([bucket, counters]) => ({ bucket, ...counters }));
  }

  /** Forgets the given minutes once they are over: a minute still running is written again later. */
  written(rows: readonly MinuteRow[]): void {
    const running = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    for (const row of rows) if (row.bucket < running) this.minutes.delete(row.bucket);
  }

  private counters(): TrendCounters {
    const bucket = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    if (bucket === this.currentBucket) return this.current;
    let counters = this.minutes.get(bucket);
    if (counters === undefined) {
      counters = emptyTrendCounters();
      this.minutes.set(bucket, counters);
      // Bounded while PostgreSQL is away: the oldest minute goes first.
      if (this.minutes.size > MAX_PENDING_MINUTES) this.minutes.delete(Math.min(...this.minutes.keys()));
    }
    this.currentBucket = bucket;
    this.current = counters;
    return counters;
  }
}
