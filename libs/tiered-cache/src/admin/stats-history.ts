import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { toMilliseconds, type Duration } from '../core/duration.js';
import type { CacheStats } from '../core/stats.js';
import { TieredCache } from '../core/tiered-cache.js';
import { LatencyWindows, roundMs, tierTimings, type TierTiming } from '../metrics/tier-timing.js';
import { ALL_TIERS, type TierName } from '../tiers/tier.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import type { TieredCacheAdminOptions } from './admin.options.js';

/** Option `history` of the admin module. */
export interface StatsHistoryOptions {
  /** Time between two samples. Default `'10s'`. At least 10 ms. */
  interval?: Duration;
  /** How far back samples are kept. Default `'1h'`. At most 100,000 samples are kept. */
  retention?: Duration;
}

/** One tier during one sample interval. */
export interface TierSample {
  /** Lookups that reached this tier (hits + misses). */
  reads: number;
  hits: number;
  /** `hits / reads`; `null` when no lookup reached the tier. */
  hitRatio: number | null;
  /** Failed or breaker-refused calls. */
  errors: number;
  /** 99th percentile of `get` and `set` call times in ms (remote tiers; L1 is not timed). `null` without calls. */
  p99Ms: { get: number | null; set: number | null };
  /** Breaker state at the end of the interval (`n/a` for L1). */
  circuit: string;
}

/** What happened during one interval, ending at `at`. Counters are deltas, not totals. */
export interface StatsSample {
  at: string;
  /** Actual length of the interval in ms. */
  durationMs: number;
  /** Reads (`get`/`getOrSet` calls) on this instance. */
  reads: number;
  /** Reads answered by some tier. */
  hits: number;
  hitRatio: number | null;
  tiers: Partial<Record<TierName, TierSample>>;
  loaderCalls: number;
  staleServed: number;
  /** Invalidations applied on this instance: asked for here or received over the bus. */
  invalidations: number;
  /** Tags those invalidations named. */
  invalidatedTags: number;
  /** `invalidations` scaled to one minute. */
  invalidationsPerMinute: number;
  l1: { entries: number; bytes: number };
  bus: CacheStats['bus'];
}

/** The body of `GET /admin/cache/timeseries`. */
export interface StatsTimeseries {
  enabled: boolean;
  intervalMs: number;
  retentionMs: number;
  /** Most samples kept. */
  capacity: number;
  /** When sampling started on this instance. */
  startedAt: string | null;
  /** Oldest first. */
  samples: StatsSample[];
}

interface Totals {
  reads: number;
  hits: number;
  loaderCalls: number;
  staleServed: number;
  tiers: Partial<Record<TierName, { hits: number; misses: number; errors: number }>>;
}

const DEFAULT_INTERVAL = '10s';
const DEFAULT_RETENTION = '1h';
const MAX_SAMPLES = 100_000;

/**
 * Reads handled by the cache since start-up. `CacheStats` has no raw read count, only the overall
 * hit ratio (hits over reads) and the hits of every tier; each hit is counted by exactly one tier,
 * so reads = hits ÷ ratio. Before the first hit the ratio is 0 and every read missed: then the
 * busiest tier's lookups are the best count there is.
 */
export function totalReads(stats: CacheStats): number {
  const tiers = Object.values(stats.tiers);
  const hits = tiers.reduce((sum, tier) => sum + (tier?.hits ?? 0), 0);
  if (stats.hitRatio > 0) return Math.round(hits / stats.hitRatio);
  return Math.max(0, ...tiers.map((tier) => (tier ? tier.hits + tier.misses + tier.errors : 0)));
}

function totalsOf(stats: CacheStats): Totals {
  const tiers: Totals['tiers'] = {};
  let hits = 0;
  for (const name of ALL_TIERS) {
    const tier = stats.tiers[name];
    if (!tier) continue;
    tiers[name] = { hits: tier.hits, misses: tier.misses, errors: tier.errors };
    hits += tier.hits;
  }
  return { reads: totalReads(stats), hits, loaderCalls: stats.loaderCalls, staleServed: stats.staleServed, tiers };
}

const delta = (now: number, before: number | undefined) => Math.max(0, now - (before ?? 0));
const ratioOrNull = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/**
 * A ring buffer of cache samples for the dashboard: every `interval` (10 s) the hit ratios, p99
 * latencies and invalidations of the interval just ended, kept for `retention` (1 h), in memory,
 * per instance. Counters come from `cache.stats()` deltas; latencies from the engine's tier timing
 * hook; invalidations from its invalidation hook (so those received over the bus count too).
 */
export class StatsHistory {
  readonly intervalMs: number;
  readonly retentionMs: number;
  readonly capacity: number;
  private readonly samples: StatsSample[] = [];
  private readonly latency = new LatencyWindows();
  private previous: Totals | undefined;
  private previousAt = 0;
  private startedAt: string | null = null;
  private invalidations = 0;
  private invalidatedTags = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopHooks: Array<() => void> = [];

  constructor(
    private readonly cache: TieredCache,
    options: StatsHistoryOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.intervalMs = toMilliseconds(options.interval ?? DEFAULT_INTERVAL, 'history.interval');
    this.retentionMs = toMilliseconds(options.retention ?? DEFAULT_RETENTION, 'history.retention');
    if (this.intervalMs < 10) throw new RangeError(`history.interval must be at least 10 ms, got ${this.intervalMs}`);
    if (this.retentionMs < this.intervalMs) throw new RangeError('history.retention must be at least one interval');
    this.capacity = Math.min(MAX_SAMPLES, Math.ceil(this.retentionMs / this.intervalMs));
  }

  get running(): boolean {
    return this.stopHooks.length > 0;
  }

  /** Takes the baseline and starts the timer (`timer: false`: the caller calls {@link sample}). */
  start(timer = true): void {
    if (this.running) return;
    this.stopHooks = [
      tierTimings(this.cache).subscribe((timing) => this.latency.record(timing)),
      this.cache.observe({
        invalidation: (event) => {
          this.invalidations++;
          this.invalidatedTags += event.tags;
        },
      }),
    ];
    this.previous = totalsOf(this.cache.stats());
    this.previousAt = this.now();
    this.startedAt = new Date(this.previousAt).toISOString();
    if (timer) {
      this.timer = setInterval(() => this.sample(), this.intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const stop of this.stopHooks.splice(0)) stop();
  }

  /** Closes the current interval: appends its sample (dropping the oldest beyond capacity) and returns it. */
  sample(): StatsSample {
    const stats = this.cache.stats();
    const totals = totalsOf(stats);
    const before = this.previous ?? totals;
    const at = this.now();
    const durationMs = Math.max(1, at - (this.previous ? this.previousAt : at));
    const tiers: StatsSample['tiers'] = {};
    for (const name of ALL_TIERS) {
      const tier = stats.tiers[name];
      const now = totals.tiers[name];
      if (!tier || !now) continue;
      const then = before.tiers[name];
      const hits = delta(now.hits, then?.hits);
      const reads = hits + delta(now.misses, then?.misses);
      tiers[name] = {
        reads,
        hits,
        hitRatio: ratioOrNull(hits, reads),
        errors: delta(now.errors, then?.errors),
        p99Ms: { get: this.p99(name, 'get'), set: this.p99(name, 'set') },
        circuit: tier.circuit,
      };
    }
    const reads = delta(totals.reads, before.reads);
    const hits = Math.min(reads, delta(totals.hits, before.hits));
    const sample: StatsSample = {
      at: new Date(at).toISOString(),
      durationMs,
      reads,
      hits,
      hitRatio: ratioOrNull(hits, reads),
      tiers,
      loaderCalls: delta(totals.loaderCalls, before.loaderCalls),
      staleServed: delta(totals.staleServed, before.staleServed),
      invalidations: this.invalidations,
      invalidatedTags: this.invalidatedTags,
      invalidationsPerMinute: Math.round((this.invalidations * 60_000 * 100) / durationMs) / 100,
      l1: { ...stats.l1 },
      bus: stats.bus,
    };
    this.previous = totals;
    this.previousAt = at;
    this.invalidations = 0;
    this.invalidatedTags = 0;
    this.latency.clear();
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
    return sample;
  }

  /** The samples held, oldest first. */
  snapshot(): StatsTimeseries {
    return {
      enabled: true,
      intervalMs: this.intervalMs,
      retentionMs: this.retentionMs,
      capacity: this.capacity,
      startedAt: this.startedAt,
      samples: [...this.samples],
    };
  }

  private p99(tier: TierName, operation: TierTiming['operation']): number | null {
    const window = this.latency.get(tier, operation);
    return window ? roundMs(window.percentiles(99)[0]) : null;
  }
}

/**
 * The admin module's {@link StatsHistory}: started once the app has bootstrapped, stopped before
 * the cache closes. With `history: false` it keeps nothing and the endpoint answers 501.
 */
@Injectable()
export class CacheStatsHistory implements OnApplicationBootstrap, OnModuleDestroy {
  readonly history: StatsHistory | undefined;

  constructor(cache: TieredCache, @Inject(TIERED_CACHE_ADMIN_OPTIONS) options: TieredCacheAdminOptions) {
    this.history = options.history === false ? undefined : new StatsHistory(cache, options.history ?? {});
  }

  onApplicationBootstrap(): void {
    this.history?.start();
  }

  onModuleDestroy(): void {
    this.history?.stop();
  }
}
