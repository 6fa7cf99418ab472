import type { CacheStats, TierStats } from '../core/stats.js';
import type { KeyGroupSnapshot } from '../groups/key-group.stats.js';
import { ALL_TIERS, type TierName } from '../tiers/tier.js';
import type { ResolvedFleetOptions } from './fleet.options.js';
import { totalReads } from './stats-history.js';

/** What one instance publishes every interval. */
export interface InstanceHeartbeat {
  instanceId: string;
  namespace: string;
  /** Version of `@tiered-cache/nestjs` the instance runs. */
  version: string;
  startedAt: string;
  lastSeenAt: string;
  /** The interval it beats at, so readers can tell how late it is. */
  intervalMs: number;
  /** Circuit breaker state of each remote tier. */
  breakers: Partial<Record<TierName, string>>;
  bus: CacheStats['bus'];
  l1: { entries: number; bytes: number };
  /** Overall and per tier, as in `cache.stats()`. */
  hitRatios: { overall: number } & Partial<Record<TierName, number>>;
  /** `cache.stats()` at `lastSeenAt`. */
  stats: CacheStats;
  /** Its busiest key groups (docs/trends.md), when it counts them. Not listed by `GET /instances`. */
  groups?: KeyGroupSnapshot;
}

/** `up`: beat within `goneAfter`. `gone`: silent longer than that, but not yet forgotten. */
export type InstanceStatus = 'up' | 'gone';

/** A row of `GET /admin/cache/instances`. */
export type InstanceRow = Omit<InstanceHeartbeat, 'stats'> & {
  status: InstanceStatus;
  /** Milliseconds since its last heartbeat. */
  silentForMs: number;
  /** Whether this row is the instance that answered. */
  self: boolean;
};

/** The body of `GET /admin/cache/instances`. */
export interface FleetInstances {
  namespace: string;
  generatedAt: string;
  /** Where instances share heartbeats; `local` when this instance can only see itself. */
  source: 'redis' | 'postgres' | 'local';
  intervalMs: number;
  goneAfterMs: number;
  forgetAfterMs: number;
  counts: { total: number; up: number; gone: number };
  instances: InstanceRow[];
  /** Set when the shared heartbeats could not be read. */
  error?: string;
}

/** Counters of `cache.stats()` summed over instances. */
export type FleetTotals = Omit<CacheStats, 'namespace' | 'bus' | 'tiers'> & {
  reads: number;
  hits: number;
  /** A breaker's state does not add up over instances; the breakdown has each one's. */
  tiers: Partial<Record<TierName, Omit<TierStats, 'circuit'>>>;
};

/** The body of `GET /admin/cache/fleet`. */
export interface FleetSummary extends FleetInstances {
  /** Sums over the instances that are `up`: a gone instance's counters stopped counting. */
  total: FleetTotals;
  /** Each instance's own counters, in the order of `instances`. */
  breakdown: Array<{ instanceId: string; status: InstanceStatus; reads: number; stats: CacheStats }>;
}

/**
 * The state of an instance last seen at `lastSeenAt`, or `undefined` when it is past
 * `forgetAfter` and no longer listed. A heartbeat from a clock a little ahead counts as just now.
 */
export function instanceStatus(lastSeenAt: number, now: number, options: Pick<ResolvedFleetOptions, 'goneAfterMs' | 'forgetAfterMs'>): InstanceStatus | undefined {
  const silentMs = Math.max(0, now - lastSeenAt);
  if (silentMs > options.forgetAfterMs) return undefined;
  return silentMs > options.goneAfterMs ? 'gone' : 'up';
}

/** Classifies heartbeats into rows: up first, then gone, each by instance id; forgotten ones dropped. */
export function fleetInstances(
  beats: readonly InstanceHeartbeat[],
  context: { now: number; selfId: string; namespace: string; source: FleetInstances['source']; options: ResolvedFleetOptions },
): { view: FleetInstances; stats: Map<string, CacheStats>; groups: Map<string, KeyGroupSnapshot> } {
  const { now, options } = context;
  const rows: InstanceRow[] = [];
  const stats = new Map<string, CacheStats>();
  const groups = new Map<string, KeyGroupSnapshot>();
  for (const beat of beats) {
    const lastSeen = Date.parse(beat.lastSeenAt);
    if (!Number.isFinite(lastSeen)) continue;
    const status = instanceStatus(lastSeen, now, options);
    if (!status) continue;
    const { stats: counters, groups: keyGroups, ...row } = beat;
    rows.push({ ...row, status, silentForMs: Math.max(0, now - lastSeen), self: beat.instanceId === context.selfId });
    stats.set(beat.instanceId, counters);
    if (keyGroups !== undefined && status === 'up') groups.set(beat.instanceId, keyGroups);
  }
  rows.sort((a, b) => (a.status === b.status ? a.instanceId.localeCompare(b.instanceId) : a.status === 'up' ? -1 : 1));
  const up = rows.filter((row) => row.status === 'up').length;
  return {
    view: {
      namespace: context.namespace,
      generatedAt: new Date(now).toISOString(),
      source: context.source,
      intervalMs: options.intervalMs,
      goneAfterMs: options.goneAfterMs,
      forgetAfterMs: options.forgetAfterMs,
      counts: { total: rows.length, up, gone: rows.length - up },
      instances: rows,
    },
    stats,
    groups,
  };
}

/** Sums the counters of several instances' `cache.stats()`. */
export function fleetTotals(all: readonly CacheStats[]): FleetTotals {
  const total: FleetTotals = {
    reads: 0,
    hits: 0,
    hitRatio: 0,
    loaderCalls: 0,
    coalescedCalls: 0,
    staleServed: 0,
    refreshes: 0,
    lockWaits: 0,
    invalidations: {},
    l1: { entries: 0, bytes: 0 },
    tiers: {},
  };
  for (const stats of all) {
    const reads = totalReads(stats);
    total.reads += reads;
    // Each hit is counted by exactly one tier, so the overall ratio gives the instance's hits back.
    total.hits += Math.round(stats.hitRatio * reads);
    total.loaderCalls += stats.loaderCalls;
    total.coalescedCalls += stats.coalescedCalls;
    total.staleServed += stats.staleServed;
    total.refreshes += stats.refreshes;
    total.lockWaits += stats.lockWaits;
    for (const [source, n] of Object.entries(stats.invalidations)) total.invalidations[source] = (total.invalidations[source] ?? 0) + n;
    total.l1.entries += stats.l1.entries;
    total.l1.bytes += stats.l1.bytes;
    for (const name of ALL_TIERS) {
      const tier = stats.tiers[name];
      if (!tier) continue;
      const sum = (total.tiers[name] ??= { hits: 0, misses: 0, errors: 0, writes: 0, writeErrors: 0, rejected: 0, hitRatio: 0 });
      sum.hits += tier.hits;
      sum.misses += tier.misses;
      sum.errors += tier.errors;
      sum.writes += tier.writes;
      sum.writeErrors += tier.writeErrors;
      sum.rejected += tier.rejected;
    }
  }
  total.hitRatio = total.reads > 0 ? total.hits / total.reads : 0;
  for (const name of ALL_TIERS) {
    const sum = total.tiers[name];
    if (!sum) continue;
    // L1's ratio in cache.stats() is over all reads (every read starts there); the others over their lookups.
    sum.hitRatio = name === 'l1' ? (total.reads > 0 ? sum.hits / total.reads : 0) : sum.hits + sum.misses > 0 ? sum.hits / (sum.hits + sum.misses) : 0;
  }
  return total;
}
