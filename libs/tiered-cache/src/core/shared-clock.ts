import type { MemoryTier } from '../tiers/memory/memory.tier.js';
import { tagsAreValid } from '../tiers/tier.js';
import type { LocalClock } from './clock.js';
import { contradicts, pick, type CacheEntry } from './entry.js';
import type { RemoteSlot } from './remote-slot.js';

/** A creation stamp. `shared` is false when the shared clock could not be read. */
export interface Stamp {
  readonly value: number;
  readonly shared: boolean;
}

/** Placeholder stamp for a tag whose invalidation could not reach the shared clock yet. */
export const UNKNOWN_STAMP = Number.MAX_SAFE_INTEGER;

/**
 * The tag clock (docs/decisions/0002-tag-clock.md): entry stamps and invalidation stamps come from
 * one source, the first remote tier (Redis `TIME`, else PostgreSQL), or the local clock when the
 * process is alone.
 */
export class SharedClock {
  private lastShared = 0;
  /** When `lastShared` was received, on this process's monotonic clock (ms). */
  private lastSharedAt = 0;

  constructor(
    private readonly clockSlot: RemoteSlot | undefined,
    private readonly remotes: readonly RemoteSlot[],
    private readonly l1: MemoryTier | undefined,
    private readonly localClock: LocalClock,
    /** Queues work for a tier that failed, to replay when it is back. */
    private readonly deferTags: (slot: RemoteSlot, tags: readonly string[]) => void,
  ) {}

  get source(): RemoteSlot | undefined {
    return this.clockSlot;
  }

  /** Records a clock value a tier returned with a read. */
  observed(clock: number): Stamp {
    if (clock > this.lastShared) {
      this.lastShared = clock;
      this.lastSharedAt = performance.now();
    }
    return { value: clock, shared: true };
  }

  /**
   * Reads the shared clock. When the clock tier cannot be reached, a stand-in is marked not shared:
   * the earlier of the next remote tier's clock and the estimate of the clock tier's time (its last
   * reading plus the time elapsed since). An invalidation stamped later by either clock (a trigger
   * by PostgreSQL's, the engine by Redis's once it is back) covers it, however the two are skewed.
   * A loader's result so stamped stays in this instance's L1.
   */
  async read(): Promise<Stamp> {
    return this.readOr((clock) => ({ value: this.lastShared > 0 ? Math.min(clock, this.estimate()) : clock, shared: false }));
  }

  /**
   * The stamp of an explicit `set`. When the clock tier cannot be reached, it is the last shared
   * reading plus the time elapsed since, on this process's monotonic clock: a lower bound of the
   * clock tier's time, whatever the other tiers' clocks say. So the set wins over every entry
   * stamped before it, and any later write stamped by the clock tier wins over it (a PostgreSQL
   * clock running ahead would make this set outlive later ones).
   */
  async readForSet(): Promise<Stamp> {
    return this.readOr((clock) => ({ value: this.lastShared > 0 ? this.estimate() : clock, shared: false }));
  }

  /** The clock tier's time now, estimated from its last reading. Never ahead of it. */
  private estimate(): number {
    return Math.floor(this.lastShared + (performance.now() - this.lastSharedAt) * 1000);
  }

  /** The clock tier's reading, or `standIn` of the next remote tier's clock when it cannot be read. */
  private async readOr(standIn: (clock: number) => Stamp): Promise<Stamp> {
    const clockSlot = this.clockSlot;
    if (clockSlot === undefined) return { value: this.localClock.now(), shared: true };
    for (const slot of this.remotes) {
      try {
        const clock = await slot.breaker.run(() => slot.tier.now());
        if (slot === clockSlot) return this.observed(clock);
        return standIn(clock);
      } catch {
        slot.counters.errors++;
      }
    }
    return { value: this.lastShared > 0 ? this.estimate() : 0, shared: false };
  }

  /** Stamps `tags` on the clock tier, then on the other remote tiers with that stamp as a floor. */
  async stampTags(tags: readonly string[]): Promise<number> {
    const clockSlot = this.clockSlot;
    if (clockSlot === undefined) return this.localClock.now();
    let stamp = UNKNOWN_STAMP;
    try {
      stamp = await clockSlot.breaker.run(() => clockSlot.tier.invalidateTags(tags));
    } catch {
      this.deferTags(clockSlot, tags);
    }
    const floor = stamp === UNKNOWN_STAMP ? 0 : stamp;
    await Promise.all(
      this.remotes
        .filter((slot) => slot !== clockSlot)
        .map((slot) => slot.breaker.run(() => slot.tier.invalidateTags(tags, floor)).catch(() => this.deferTags(slot, tags))),
    );
    return stamp;
  }

  /**
   * The loader race: a tag invalidated while the loader ran has a stamp at or after the entry's
   * creation stamp. The clock tier is asked, not the memo, since the bus may lag. When the clock
   * tier is down, the other remote tiers answer (their stamps are floored by the clock tier's, so
   * never earlier), then the memo: tagged values stay cacheable in L1 during an outage instead of
   * sending every call to the source.
   */
  /** {@link stillValid} for many entries, with one round trip for the tags of all of them. */
  async stillValidMany(entries: readonly CacheEntry[]): Promise<boolean[]> {
    const tags = [...new Set(entries.flatMap((entry) => entry.tags))];
    if (tags.length === 0) return entries.map(() => true);
    const memo = async () => (this.l1 === undefined ? undefined : this.l1.tagStamps(tags));
    for (const slot of this.remotes) {
      try {
        const stamps = await slot.breaker.run(() => slot.tier.tagStamps(tags));
        const known = await memo();
        this.l1?.learnStamps(stamps);
        return entries.map((entry) => entry.tags.length === 0 || (!(known !== undefined && contradicts(pick(known, entry.tags), entry)) && tagsAreValid(entry, stamps)));
      } catch {
        slot.counters.errors++;
      }
    }
    const known = await memo();
    return entries.map((entry) => entry.tags.length === 0 || (known !== undefined && tagsAreValid(entry, known)));
  }

  async stillValid(entry: CacheEntry): Promise<boolean> {
    for (const slot of this.remotes) {
      try {
        const stamps = await slot.breaker.run(() => slot.tier.tagStamps(entry.tags));
        // The memo may know a later stamp than the tier (a placeholder for a stamp not yet written).
        if (this.l1 !== undefined && contradicts(await this.l1.tagStamps(entry.tags), entry)) return false;
        this.l1?.learnStamps(stamps);
        return tagsAreValid(entry, stamps);
      } catch {
        slot.counters.errors++;
      }
    }
    return this.l1 !== undefined && tagsAreValid(entry, await this.l1.tagStamps(entry.tags));
  }
}
