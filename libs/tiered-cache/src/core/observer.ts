import type { RejectionReason } from '../security/payload-seal.js';
import type { TierName } from '../tiers/tier.js';

/** One finished call to a remote tier, refused-by-breaker calls included (ok: false, ~0 s). */
export interface TierOperationEvent {
  readonly tier: TierName;
  readonly operation: 'get' | 'set';
  readonly seconds: number;
  readonly ok: boolean;
}

/** An invalidation applied on this instance: asked for here, or received over the bus. */
export interface InvalidationEvent {
  readonly source: string;
  readonly origin: 'local' | 'bus';
  readonly tags: number;
}

/** A stored payload that failed its size or integrity check: not served, and removed from the tier. */
export interface PayloadRejectedEvent {
  readonly tier: TierName;
  /** The storage key (namespace-scoped, hashed when long), as the tier holds it. */
  readonly key: string;
  readonly reason: RejectionReason;
}

/** Who answered a read: a tier, `miss` (none had it; `getOrSet` then ran the loader), or `stale` (a stale value served because the loader failed or timed out). */
export type CallAnswer = TierName | 'miss' | 'stale';

/** A public call that finished, successfully or not. */
export interface CacheCallEvent {
  readonly operation: 'getOrSet' | 'get' | 'set' | 'delete' | 'invalidateTags';
  /** The key as the caller gave it; absent for `invalidateTags`. An observer chooses what of it to record. */
  readonly key?: string;
  /** `get` and `getOrSet`: who answered. */
  readonly answer?: CallAnswer;
  /** `getOrSet`: the call joined a load another caller had started (single-flight). */
  readonly coalesced?: boolean;
  /** `getOrSet` that went past L1 and its flights: the lifetime (ms) it writes with, policies applied. */
  readonly ttlMs?: number;
  /** `invalidateTags`: how many tags were given. */
  readonly tags?: number;
  /** When the call began, in epoch milliseconds (fractional), so that a span can be drawn afterwards. */
  readonly startTime: number;
  readonly seconds: number;
  /** What the call rejected with, if it did. */
  readonly error?: unknown;
}

/** A loader run that finished: for a miss, or a refresh-ahead in the background. */
export interface LoaderEvent {
  readonly key: string;
  readonly seconds: number;
  readonly ok: boolean;
  readonly background: boolean;
}

/** An entry this instance wrote: a `set`, or a loader's result (`load`). */
export interface StoredEvent {
  /** The key as the caller gave it. */
  readonly key: string;
  readonly kind: 'set' | 'load';
  /** Size of the serialized payload. */
  readonly bytes: number;
  /** The entry's tags, normalized. */
  readonly tags: readonly string[];
}

/**
 * Hooks for metrics and dashboards. Called synchronously; an observer that throws is ignored.
 * With no observer registered the engine does not even read the clock for them.
 */
export interface CacheObserver {
  tierOperation?(event: TierOperationEvent): void;
  invalidation?(event: InvalidationEvent): void;
  payloadRejected?(event: PayloadRejectedEvent): void;
  /**
   * After every `getOrSet`, `get`, `set`, `delete` and `invalidateTags`, in the caller's async
   * context (a tracer's active span there is the caller's).
   */
  call?(event: CacheCallEvent): void;
  loader?(event: LoaderEvent): void;
  /** Once an entry's tags and size are known, before its tiers are written (so also for a write a tier then drops). */
  stored?(event: StoredEvent): void;
}
