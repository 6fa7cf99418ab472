import type { CircuitBreaker } from '../resilience/circuit-breaker.js';
import type { RecoveryQueue } from '../resilience/recovery-queue.js';
import type { Tier } from '../tiers/tier.js';
import type { TierCounters } from './stats.js';

/** A remote tier with its breaker, counters and what it missed while down. */
export interface RemoteSlot {
  readonly tier: Tier;
  readonly breaker: CircuitBreaker;
  readonly recovery: RecoveryQueue;
  readonly counters: TierCounters;
}
