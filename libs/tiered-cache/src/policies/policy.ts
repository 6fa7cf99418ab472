import type { Duration } from '../core/duration.js';
import type { TierName } from '../tiers/tier.js';

/** What a policy matches: keys starting with `prefix`, or calls carrying the static tag `tag` (exactly one). */
export type PolicyMatch = { readonly prefix: string; readonly tag?: undefined } | { readonly tag: string; readonly prefix?: undefined };

/**
 * A runtime cache policy: it matches keys by prefix or tag and overrides the options of the calls
 * it matches, over what the code passed (docs/policies.md).
 */
export interface CachePolicy {
  /** Identifies the policy in the admin API and the logs. */
  readonly id: string;
  readonly match: PolicyMatch;
  /** Replaces the call's `ttl`. */
  readonly ttl?: Duration;
  /** Replaces the call's `grace`. */
  readonly grace?: Duration;
  /** Replaces the call's `tiers` (tiers not configured are skipped, as for a call's own list). */
  readonly tiers?: readonly TierName[];
  /** Caching off: `getOrSet` runs the loader, `get` answers `undefined`, `set` writes nothing and deletes the key. */
  readonly disabled?: boolean;
  /** Why the policy exists, for the people reading the list. */
  readonly note?: string;
}

/** The overriding fields of a policy. */
export const POLICY_OVERRIDES = ['ttl', 'grace', 'tiers', 'disabled'] as const;
