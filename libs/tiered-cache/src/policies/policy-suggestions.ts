import type { KeyGroupUsage } from './key-group-usage.js';
import type { CachePolicy } from './policy.js';
import type { PolicyBody } from './policy.pg-store.js';

/** Why a policy is suggested. */
export type SuggestionReason = 'read-once' | 'invalidated-before-reuse' | 'ttl-shorter-than-reuse';

/** A policy the measurements argue for, with the body to `POST /admin/cache/policies` as it stands. */
export interface PolicySuggestion {
  readonly reason: SuggestionReason;
  readonly prefix: string;
  readonly message: string;
  readonly policy: PolicyBody;
  readonly usage: KeyGroupUsage;
}

export interface SuggestionThresholds {
  /** Keys old enough to judge that a group needs before "read once" is suggested. Default 20. */
  minJudgedKeys?: number;
  /** Share of those read exactly once above which caching them is suggested off. Default 0.9. */
  readOnceShare?: number;
  /** Wasted loads (invalidated or expired before any reuse) a group needs before it is judged. Default 20. */
  minWastedLoads?: number;
  /** "TTL far shorter": the median reuse gap is at least this many TTLs. Default 4. */
  reuseGapTtls?: number;
}

export const DEFAULT_SUGGESTION_THRESHOLDS: Required<SuggestionThresholds> = { minJudgedKeys: 20, readOnceShare: 0.9, minWastedLoads: 20, reuseGapTtls: 4 };

/** The longest TTL suggested: a day. Longer lifetimes are a decision, not an inference. */
const MAX_SUGGESTED_TTL_MS = 86_400_000;

/**
 * Policies suggested from what was measured per key group: off for groups read once or
 * invalidated more often than reused, a longer TTL for groups whose entries expire long before
 * they are read again. Groups that already have a policy for their prefix are left alone. Pure.
 */
export function suggestPolicies(usage: readonly KeyGroupUsage[], existing: readonly CachePolicy[], overrides: SuggestionThresholds = {}): PolicySuggestion[] {
  const t = { ...DEFAULT_SUGGESTION_THRESHOLDS, ...overrides };
  const covered = new Set(existing.map((policy) => policy.match.prefix).filter((prefix) => prefix !== undefined));
  const suggestions: PolicySuggestion[] = [];
  for (const group of usage) {
    if (covered.has(group.prefix)) continue;
    const suggestion = readOnce(group, t) ?? invalidatedBeforeReuse(group, t) ?? expiredBeforeReuse(group, t);
    if (suggestion !== undefined) suggestions.push(suggestion);
  }
  return suggestions;
}

const pct = (value: number) => `${Math.round(value * 100)}%`;

function readOnce(group: KeyGroupUsage, t: Required<SuggestionThresholds>): PolicySuggestion | undefined {
  if (group.judgedKeys < t.minJudgedKeys || group.keysReadOnce / group.judgedKeys < t.readOnceShare) return undefined;
  return {
    reason: 'read-once',
    prefix: group.prefix,
    message: `${pct(group.keysReadOnce / group.judgedKeys)} of ${group.judgedKeys} keys ${JSON.stringify(group.prefix)}… were read once: caching them costs writes and reuses nothing`,
    policy: { match: { prefix: group.prefix }, disabled: true, note: 'suggested: keys read once' },
    usage: group,
  };
}

function invalidatedBeforeReuse(group: KeyGroupUsage, t: Required<SuggestionThresholds>): PolicySuggestion | undefined {
  if (group.invalidatedBeforeReuse < t.minWastedLoads || group.invalidatedBeforeReuse <= group.hits) return undefined;
  return {
    reason: 'invalidated-before-reuse',
    prefix: group.prefix,
    message: `Keys ${JSON.stringify(group.prefix)}… were invalidated before any reuse ${group.invalidatedBeforeReuse} times, more often than they were hit (${group.hits})`,
    policy: { match: { prefix: group.prefix }, disabled: true, note: 'suggested: invalidated more often than read' },
    usage: group,
  };
}

function expiredBeforeReuse(group: KeyGroupUsage, t: Required<SuggestionThresholds>): PolicySuggestion | undefined {
  const { ttlMs, reuseGapP50Ms: gap } = group;
  if (ttlMs === undefined || gap === undefined || group.expiredBeforeReuse < t.minWastedLoads || gap < ttlMs * t.reuseGapTtls) return undefined;
  const suggested = formatDuration(Math.min(MAX_SUGGESTED_TTL_MS, gap * 2));
  return {
    reason: 'ttl-shorter-than-reuse',
    prefix: group.prefix,
    message: `Keys ${JSON.stringify(group.prefix)}… expired ${group.expiredBeforeReuse} times before they were read again: TTL ${formatDuration(ttlMs)}, median reuse gap ${formatDuration(gap)}`,
    policy: { match: { prefix: group.prefix }, ttl: suggested, note: `suggested: TTL ${formatDuration(ttlMs)} far shorter than the reuse gap` },
    usage: group,
  };
}

/** Milliseconds as the largest whole unit that keeps them, rounded up to a second: `'90s'`, `'5m'`, `'2h'`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1_000));
  if (seconds % 3_600 === 0) return `${seconds / 3_600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
