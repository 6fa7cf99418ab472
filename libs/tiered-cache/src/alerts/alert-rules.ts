import { toMilliseconds, type Duration } from '../core/duration.js';
import type { TierName } from '../tiers/tier.js';
import { windowEnds, type AlertSample } from './alert-sample.js';
import { promDuration, type AlertThresholds } from './alert-thresholds.js';

/** A label set the rule is active for, with the value that made it so. */
export interface AlertHit {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * One alert, defined once: `expr` is its PromQL (the generated rules file), `evaluate` the same
 * condition over `cache.stats()` samples (the in-app evaluator). Keep the two in step: the
 * promtool unit tests check `expr`, the evaluator specs check `evaluate`, on the same scenarios.
 */
export interface AlertRule {
  readonly name: string;
  readonly severity: 'warning' | 'critical';
  readonly summary: string;
  /** The threshold settings the rule reads (names in {@link AlertThresholds}). */
  readonly settings: readonly (keyof AlertThresholds)[];
  expr(t: AlertThresholds): string;
  forDuration(t: AlertThresholds): Duration;
  /** Active label sets at the newest sample. */
  evaluate(samples: readonly AlertSample[], t: AlertThresholds): AlertHit[];
}

const REQUESTS = 'tiered_cache_requests_total';

/** Reads answered by some tier over all reads: every read looks in L1 first, so L1's hits + misses count all reads. */
const hitRatioLow: AlertRule = {
  name: 'TieredCacheHitRatioLow',
  severity: 'warning',
  summary: 'Cache hit ratio below threshold',
  settings: ['hitRatioMin', 'hitRatioWindow', 'hitRatioFor'],
  expr: (t) => {
    const w = promDuration(t.hitRatioWindow);
    return (
      `sum without (tier, result) (increase(${REQUESTS}{result="hit"}[${w}]))\n` +
      `  / sum without (tier, result) (increase(${REQUESTS}{tier="l1",result=~"hit|miss"}[${w}]))\n` +
      `  < ${t.hitRatioMin}`
    );
  },
  forDuration: (t) => t.hitRatioFor,
  evaluate: (samples, t) => {
    const ends = windowEnds(samples, toMilliseconds(t.hitRatioWindow));
    if (!ends) return [];
    const [first, last] = ends;
    const hits = sumTiers(last, 'hits') - sumTiers(first, 'hits');
    const reads = l1Reads(last) - l1Reads(first);
    // No reads: PromQL divides 0 by 0 (NaN), which compares false. Same here.
    if (reads <= 0) return [];
    const ratio = hits / reads;
    return ratio < t.hitRatioMin ? [{ labels: {}, value: ratio }] : [];
  },
};

const circuitOpen: AlertRule = {
  name: 'TieredCacheCircuitOpen',
  severity: 'critical',
  summary: 'Cache tier circuit breaker open',
  settings: ['circuitOpenFor'],
  expr: () => 'tiered_cache_circuit_open == 1',
  forDuration: (t) => t.circuitOpenFor,
  evaluate: (samples) => {
    const last = samples.at(-1);
    if (!last) return [];
    return Object.entries(last.stats.tiers)
      .filter(([, stats]) => stats && stats.circuit !== 'n/a' && stats.circuit !== 'closed')
      .map(([tier]) => ({ labels: { tier }, value: 1 }));
  },
};

const busDown: AlertRule = {
  name: 'TieredCacheBusDown',
  severity: 'critical',
  summary: 'Cross-instance invalidation bus disconnected',
  settings: ['busDownFor'],
  expr: () => 'tiered_cache_bus_connected == 0',
  forDuration: (t) => t.busDownFor,
  evaluate: (samples) => (samples.at(-1)?.stats.bus === 'disconnected' ? [{ labels: {}, value: 0 }] : []),
};

const listenerDown: AlertRule = {
  name: 'TieredCacheListenerDown',
  severity: 'critical',
  summary: 'PostgreSQL LISTEN invalidation listener disconnected',
  settings: ['listenerDownFor'],
  expr: () => 'tiered_cache_listener_connected == 0',
  forDuration: (t) => t.listenerDownFor,
  evaluate: (samples) => (samples.at(-1)?.listenerConnected === false ? [{ labels: {}, value: 0 }] : []),
};

const loaderErrors: AlertRule = {
  name: 'TieredCacheLoaderErrors',
  severity: 'warning',
  summary: 'Share of failing loader runs above threshold',
  settings: ['loaderErrorRatioMax', 'loaderErrorWindow', 'loaderErrorFor'],
  expr: (t) => {
    const w = promDuration(t.loaderErrorWindow);
    return (
      `sum without (result) (increase(tiered_cache_loader_runs_total{result="error"}[${w}]))\n` +
      `  / sum without (result) (increase(tiered_cache_loader_runs_total[${w}]))\n` +
      `  > ${t.loaderErrorRatioMax}`
    );
  },
  forDuration: (t) => t.loaderErrorFor,
  evaluate: (samples, t) => {
    const ends = windowEnds(samples, toMilliseconds(t.loaderErrorWindow));
    if (!ends) return [];
    const [first, last] = ends;
    const errors = last.loaderRuns.error - first.loaderRuns.error;
    const runs = errors + last.loaderRuns.ok - first.loaderRuns.ok;
    if (runs <= 0) return [];
    const ratio = errors / runs;
    return ratio > t.loaderErrorRatioMax ? [{ labels: {}, value: ratio }] : [];
  },
};

/** Over a cap cleanup enforces: cleanup is not keeping up (or not running). Value: the larger usage share. */
const l3OverCap: AlertRule = {
  name: 'TieredCacheL3OverCap',
  severity: 'warning',
  summary: 'L3 table over its size cap',
  settings: ['l3OverCapFor'],
  expr: () => 'tiered_cache_l3_rows > tiered_cache_l3_max_rows\n  or tiered_cache_l3_bytes > tiered_cache_l3_max_bytes',
  forDuration: (t) => t.l3OverCapFor,
  evaluate: (samples) => {
    const l3 = samples.at(-1)?.l3;
    if (!l3) return [];
    const shares = [l3.maxRows ? l3.rows / l3.maxRows : 0, l3.maxBytes ? l3.bytes / l3.maxBytes : 0];
    const share = Math.max(...shares);
    return share > 1 ? [{ labels: {}, value: share }] : [];
  },
};

/** Many dead rows: they cost space and index scans. The app starts a cleanup when this fires. */
const l3ExpiredRows: AlertRule = {
  name: 'TieredCacheL3ExpiredRows',
  severity: 'warning',
  summary: 'Expired L3 rows above bound',
  settings: ['l3ExpiredRowsMax', 'l3ExpiredRowsFor'],
  expr: (t) => `tiered_cache_l3_expired_rows > ${t.l3ExpiredRowsMax}`,
  forDuration: (t) => t.l3ExpiredRowsFor,
  evaluate: (samples, t) => {
    const l3 = samples.at(-1)?.l3;
    return l3 && l3.expiredRows > t.l3ExpiredRowsMax ? [{ labels: {}, value: l3.expiredRows }] : [];
  },
};

/**
 * A write-behind queue flushing slower than it fills, or not at all: the oldest unflushed write is
 * older than the bound the health check uses (a series of its own, so one setting covers both).
 * By queue: every instance reports the same shared queue.
 */
const writeBehindLag: AlertRule = {
  name: 'TieredCacheWriteBehindLag',
  severity: 'warning',
  summary: 'Write-behind lag over its bound',
  settings: ['writeBehindLagFor'],
  expr: () => 'max by (queue) (tiered_cache_write_behind_lag_seconds)\n  > max by (queue) (tiered_cache_write_behind_lag_max_seconds)',
  forDuration: (t) => t.writeBehindLagFor,
  evaluate: (samples) => {
    const queue = samples.at(-1)?.writeBehind;
    return queue && queue.lagSeconds > queue.lagMaxSeconds ? [{ labels: { queue: queue.queue }, value: queue.lagSeconds }] : [];
  },
};

/** Every rule, in the order of the rules file and the docs table. */
export const ALERT_RULES: readonly AlertRule[] = [hitRatioLow, circuitOpen, busDown, listenerDown, loaderErrors, l3OverCap, l3ExpiredRows, writeBehindLag];

function sumTiers(sample: AlertSample, field: 'hits'): number {
  let total = 0;
  for (const stats of Object.values(sample.stats.tiers)) total += stats?.[field] ?? 0;
  return total;
}

function l1Reads(sample: AlertSample): number {
  const l1 = sample.stats.tiers['l1' satisfies TierName];
  return l1 ? l1.hits + l1.misses : 0;
}
