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

/**
 * Hooks for metrics and dashboards. Called synchronously; an observer that throws is ignored.
 * With no observer registered the engine does not even read the clock for them.
 */
export interface CacheObserver {
  tierOperation?(event: TierOperationEvent): void;
  invalidation?(event: InvalidationEvent): void;
  payloadRejected?(event: PayloadRejectedEvent): void;
}
