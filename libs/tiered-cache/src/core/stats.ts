import type { CircuitState } from '../resilience/circuit-breaker.js';
import type { TierName } from '../tiers/tier.js';

export interface TierCounters {
  hits: number;
  misses: number;
  errors: number;
  writes: number;
  writeErrors: number;
  /** Stored payloads refused by the size or integrity check (never served, removed). */
  rejected: number;
}

export interface TierStats extends TierCounters {
  hitRatio: number;
  circuit: CircuitState | 'n/a';
}

/** A snapshot returned by `TieredCache.stats()`. */
export interface CacheStats {
  namespace: string;
  tiers: Partial<Record<TierName, TierStats>>;
  /** Reads answered by any tier, over all reads. */
  hitRatio: number;
  loaderCalls: number;
  coalescedCalls: number;
  staleServed: number;
  /** Background refresh-ahead loads started. */
  refreshes: number;
  /** Misses that waited for another instance holding the distributed lock. */
  lockWaits: number;
  /** `invalidateTags` calls by source (`app`, `db`, `admin`, ...). */
  invalidations: Record<string, number>;
  l1: { entries: number; bytes: number };
  bus: 'connected' | 'disconnected' | 'disabled';
}

export function emptyCounters(): TierCounters {
  return { hits: 0, misses: 0, errors: 0, writes: 0, writeErrors: 0, rejected: 0 };
}

export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** The engine's running counters (per remote tier counters live on the tier's slot). */
export interface EngineCounters {
  readonly l1: TierCounters;
  reads: number;
  hits: number;
  loaderCalls: number;
  coalesced: number;
  staleServed: number;
  refreshes: number;
  lockWaits: number;
}

export function emptyEngineCounters(): EngineCounters {
  return { l1: emptyCounters(), reads: 0, hits: 0, loaderCalls: 0, coalesced: 0, staleServed: 0, refreshes: 0, lockWaits: 0 };
}
