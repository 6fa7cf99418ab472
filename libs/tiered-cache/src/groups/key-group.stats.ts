import { LRUCache } from 'lru-cache';
import type { CacheCallEvent, CacheObserver, LoaderEvent, StoredEvent } from '../core/observer.js';
import { prefixOf, resolveKeyGroupOptions, type KeyGroupOptions, type ResolvedKeyGroupOptions } from './key-group.options.js';

/** What a key group may be: the key's prefix, or one of its tags. */
export type KeyGroupKind = 'prefix' | 'tag';

/** The raw counters of one group, since this instance started counting. Summable across instances. */
export interface KeyGroupCounters {
  /** `get` and `getOrSet` calls that got an answer (a hit, a miss, or a stale value). */
  reads: number;
  /** Reads answered by a tier. */
  hits: number;
  /** Loader runs that finished (failed ones too). */
  loads: number;
  loadErrors: number;
  /** Sum of the loader run times, in ms. */
  loadMsTotal: number;
  /** Longest loader run, in ms. */
  loadMsMax: number;
  /** Entries written (`set` and loader results). */
  writes: number;
  /** Serialized bytes of those entries. */
  bytesWritten: number;
}

const PENDING_LOADS = 1_000;

/** The group counted for keys past `maxGroups`. */
export const OTHER_GROUP = '(other)';

/** One group's counters under its name. */
export type KeyGroupEntry = KeyGroupCounters & { readonly group: string };

/** What {@link KeyGroupStats.snapshot} returns: both kinds, unsorted. */
export interface KeyGroupSnapshot {
  prefix: KeyGroupEntry[];
  tag: KeyGroupEntry[];
}

export function emptyGroupCounters(): KeyGroupCounters {
  return { reads: 0, hits: 0, loads: 0, loadErrors: 0, loadMsTotal: 0, loadMsMax: 0, writes: 0, bytesWritten: 0 };
}

/**
 * At most `max` groups of counters, {@link OTHER_GROUP} included: once `max - 1` are named, every
 * new group lands in (other). A plain
 * Map rather than an LRU: a read costs one lookup and an increment, and a group once counted keeps
 * its totals instead of being evicted and restarted from zero by a burst of one-off keys.
 */
class GroupTable {
  private readonly groups = new Map<string, KeyGroupCounters>();

  constructor(private readonly max: number) {}

  get(group: string): KeyGroupCounters {
    let counters = this.groups.get(group);
    if (counters === undefined) {
      // One place is left for (other), so a table never holds more than `max` groups.
      const name = this.groups.size < this.max - 1 || (this.groups.size === this.max - 1 && this.groups.has(OTHER_GROUP)) ? group : OTHER_GROUP;
      counters = this.groups.get(name);
      if (counters === undefined) {
        counters = emptyGroupCounters();
        this.groups.set(name, counters);
      }
    }
    return counters;
  }

  entries(): KeyGroupEntry[] {
    return [...this.groups].map(([group, counters]) => ({ group, ...counters }));
  }

  clear(): void {
    this.groups.clear();
  }
}

/**
 * Counts reads, hits, loads, load time and bytes written per key prefix and per tag, from the
 * engine's observer hooks. Tags are known when an entry is written on this instance: the tags of
 * up to `maxTrackedKeys` keys are remembered so their later reads count for their tags too.
 */
export class KeyGroupStats {
  readonly options: ResolvedKeyGroupOptions;
  private readonly prefixes: GroupTable;
  private readonly tags: GroupTable;
  private readonly keyTags: LRUCache<string, readonly string[]>;
  /**
   * Loads of keys whose tags are not known yet: a loader finishes before its result (and so its
   * tags) is stored, so the first load of a key is counted for its tags when the entry is written.
   */
  private readonly untaggedLoads = new Map<string, number>();
  /** Each key's prefix counters, so a read of a known key skips cutting and hashing its prefix. */
  private readonly byKey = new Map<string, KeyGroupCounters>();

  constructor(options: KeyGroupOptions = {}) {
    this.options = resolveKeyGroupOptions(options);
    this.prefixes = new GroupTable(this.options.maxGroups);
    this.tags = new GroupTable(this.options.maxGroups);
    this.keyTags = new LRUCache({ max: this.options.maxTrackedKeys });
  }

  /** The hooks to register with `cache.observe(...)`. */
  readonly observer: CacheObserver = {
    call: (event) => this.onCall(event),
    loader: (event) => this.onLoader(event),
    stored: (event) => this.onStored(event),
  };

  /** Every group counted so far. */
  snapshot(): KeyGroupSnapshot {
    return { prefix: this.prefixes.entries(), tag: this.tags.entries() };
  }

  /** Forgets every counter and remembered tag. */
  reset(): void {
    this.prefixes.clear();
    this.tags.clear();
    this.keyTags.clear();
    this.untaggedLoads.clear();
    this.byKey.clear();
  }

  private prefix(key: string): KeyGroupCounters {
    let counters = this.byKey.get(key);
    if (counters === undefined) {
      counters = this.prefixes.get(prefixOf(key, this.options.separator, this.options.depth));
      // Bounded like the tag memory; cleared at once when full, which only costs the next lookups a cut.
      if (this.byKey.size >= this.options.maxTrackedKeys) this.byKey.clear();
      this.byKey.set(key, counters);
    }
    return counters;
  }

  private onCall(event: CacheCallEvent): void {
    if ((event.operation !== 'get' && event.operation !== 'getOrSet') || event.key === undefined || event.answer === undefined) return;
    const hit = event.answer !== 'miss' && event.answer !== 'stale' ? 1 : 0;
    const counters = this.prefix(event.key);
    counters.reads++;
    counters.hits += hit;
    const tags = this.keyTags.size === 0 ? undefined : this.keyTags.peek(event.key);
    if (tags === undefined) return;
    for (const tag of tags) {
      const tagged = this.tags.get(tag);
      tagged.reads++;
      tagged.hits += hit;
    }
  }

  private onLoader(event: LoaderEvent): void {
    const ms = event.seconds * 1_000;
    const add = (counters: KeyGroupCounters) => {
      counters.loads++;
      if (!event.ok) counters.loadErrors++;
      counters.loadMsTotal += ms;
      if (ms > counters.loadMsMax) counters.loadMsMax = ms;
    };
    add(this.prefix(event.key));
    const tags = this.keyTags.peek(event.key);
    if (tags !== undefined) {
      for (const tag of tags) add(this.tags.get(tag));
    } else if (event.ok && !event.background) {
      // Bounded: a result never stored (dropped by an invalidation) must not pile up here.
      if (this.untaggedLoads.size >= PENDING_LOADS) this.untaggedLoads.clear();
      this.untaggedLoads.set(event.key, ms);
    }
  }

  private onStored(event: StoredEvent): void {
    const add = (counters: KeyGroupCounters) => {
      counters.writes++;
      counters.bytesWritten += event.bytes;
    };
    add(this.prefix(event.key));
    if (event.tags.length === 0) {
      this.keyTags.delete(event.key);
      return;
    }
    this.keyTags.set(event.key, event.tags);
    const load = event.kind === 'load' ? this.untaggedLoads.get(event.key) : undefined;
    if (load !== undefined) this.untaggedLoads.delete(event.key);
    for (const tag of event.tags) {
      const counters = this.tags.get(tag);
      add(counters);
      if (load !== undefined) {
        counters.loads++;
        counters.loadMsTotal += load;
        if (load > counters.loadMsMax) counters.loadMsMax = load;
      }
    }
  }
}
