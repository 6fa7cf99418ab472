import type { CacheCallEvent, CacheObserver } from '../core/observer.js';

/** What was measured of one key group (the keys sharing a prefix up to their last `:`). */
export interface KeyGroupUsage {
  /** The prefix, `:` included: `expert-sessions:one:`. */
  readonly prefix: string;
  /** `get` and `getOrSet` calls on the group's keys. */
  readonly reads: number;
  /** Of those, answered by a tier (not a miss, not stale). */
  readonly hits: number;
  /** Distinct keys seen (within the recorder's bound). */
  readonly keys: number;
  /** Of those, read exactly once so far, and first read at least `minAgeMs` ago. */
  readonly keysReadOnce: number;
  /** Keys old enough to be judged read-once or not. */
  readonly judgedKeys: number;
  /** Misses on a key loaded before with no hit in between, within its TTL: it was invalidated or deleted before reuse. */
  readonly invalidatedBeforeReuse: number;
  /** Misses on a key loaded before with no hit in between, past its TTL: it expired before reuse. */
  readonly expiredBeforeReuse: number;
  /** Median time from such a load to the read that found it expired (ms); undefined without any. */
  readonly reuseGapP50Ms: number | undefined;
  /** The TTL most of the group's loads were written with (ms), if known. */
  readonly ttlMs: number | undefined;
}

/** A source of {@link KeyGroupUsage} (the recorder below, or per-group stats kept elsewhere). */
export interface KeyGroupUsageSource {
  usage(): KeyGroupUsage[];
}

export interface KeyGroupUsageOptions {
  /** Distinct keys remembered, over all groups; the oldest are forgotten first. Default 10,000. */
  maxKeys?: number;
  /** Groups remembered; calls on keys of further groups are not counted. Default 200. */
  maxGroups?: number;
  /** A key must have been first read this long ago to count as read once. Default 60,000 ms. */
  minAgeMs?: number;
  now?: () => number;
}

interface KeyState {
  readonly group: GroupState;
  firstReadAt: number;
  reads: number;
  loadedAt: number | undefined;
  ttlMs: number | undefined;
  hitsSinceLoad: number;
}

interface GroupState {
  readonly prefix: string;
  reads: number;
  hits: number;
  invalidatedBeforeReuse: number;
  expiredBeforeReuse: number;
  gaps: number[];
  ttls: Map<number, number>;
}

const MAX_GAPS = 256;

/**
 * Counts reads per key group from the engine's call events, for the policy suggestions: which
 * groups are read once, invalidated before reuse, or expire long before they are read again.
 * Memory is bounded (`maxKeys`, `maxGroups`); a call costs a few map operations.
 */
export class KeyGroupUsageRecorder implements KeyGroupUsageSource {
  readonly observer: CacheObserver = { call: (event) => this.record(event) };
  private readonly keys = new Map<string, KeyState>();
  private readonly groups = new Map<string, GroupState>();
  private readonly maxKeys: number;
  private readonly maxGroups: number;
  private readonly minAgeMs: number;
  private readonly now: () => number;

  constructor(options: KeyGroupUsageOptions = {}) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.maxGroups = options.maxGroups ?? 200;
    this.minAgeMs = options.minAgeMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  record(event: CacheCallEvent): void {
    if ((event.operation !== 'get' && event.operation !== 'getOrSet') || event.key === undefined || event.error !== undefined) return;
    const hit = event.answer !== undefined && event.answer !== 'miss' && event.answer !== 'stale';
    // A key seen before needs neither its prefix cut out nor the clock: the common case, an L1 hit, is a few increments.
    let key = this.keys.get(event.key);
    if (key === undefined) {
      const group = this.groupOf(event.key);
      if (group === undefined) return;
      if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
      key = { group, firstReadAt: this.now(), reads: 0, loadedAt: undefined, ttlMs: undefined, hitsSinceLoad: 0 };
      this.keys.set(event.key, key);
    }
    const group = key.group;
    key.reads++;
    group.reads++;
    if (hit) {
      group.hits++;
      key.hitsSinceLoad++;
      return;
    }
    if (event.operation !== 'getOrSet' || event.coalesced) return;
    const now = this.now();
    if (key.loadedAt !== undefined && key.hitsSinceLoad === 0) {
      const gap = now - key.loadedAt;
      if (key.ttlMs !== undefined && gap >= key.ttlMs) {
        group.expiredBeforeReuse++;
        if (group.gaps.length < MAX_GAPS) group.gaps.push(gap);
        else group.gaps[group.expiredBeforeReuse % MAX_GAPS] = gap;
      } else {
        group.invalidatedBeforeReuse++;
      }
    }
    key.loadedAt = now;
    key.ttlMs = event.ttlMs;
    key.hitsSinceLoad = 0;
    if (event.ttlMs !== undefined) group.ttls.set(event.ttlMs, (group.ttls.get(event.ttlMs) ?? 0) + 1);
  }

  /** The group of a key (created if there is room), or undefined for keys without a `:` and past `maxGroups`. */
  private groupOf(key: string): GroupState | undefined {
    const cut = key.lastIndexOf(':');
    if (cut <= 0) return undefined;
    const prefix = key.slice(0, cut + 1);
    let group = this.groups.get(prefix);
    if (group === undefined) {
      if (this.groups.size >= this.maxGroups) return undefined;
      group = { prefix, reads: 0, hits: 0, invalidatedBeforeReuse: 0, expiredBeforeReuse: 0, gaps: [], ttls: new Map() };
      this.groups.set(prefix, group);
    }
    return group;
  }

  usage(): KeyGroupUsage[] {
    const now = this.now();
    const perGroup = new Map<string, { keys: number; judged: number; once: number }>();
    for (const key of this.keys.values()) {
      const prefix = key.group.prefix;
      const counts = perGroup.get(prefix) ?? { keys: 0, judged: 0, once: 0 };
      counts.keys++;
      if (now - key.firstReadAt >= this.minAgeMs) {
        counts.judged++;
        if (key.reads === 1) counts.once++;
      }
      perGroup.set(prefix, counts);
    }
    return [...this.groups].map(([prefix, group]) => {
      const counts = perGroup.get(prefix) ?? { keys: 0, judged: 0, once: 0 };
      return {
        prefix,
        reads: group.reads,
        hits: group.hits,
        keys: counts.keys,
        keysReadOnce: counts.once,
        judgedKeys: counts.judged,
        invalidatedBeforeReuse: group.invalidatedBeforeReuse,
        expiredBeforeReuse: group.expiredBeforeReuse,
        reuseGapP50Ms: median(group.gaps),
        ttlMs: mostCommon(group.ttls),
      };
    });
  }

  /** Forgets everything measured (after a policy is applied, the old measurements no longer hold). */
  reset(): void {
    this.keys.clear();
    this.groups.clear();
  }
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function mostCommon(counts: ReadonlyMap<number, number>): number | undefined {
  let best: number | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}
