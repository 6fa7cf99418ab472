import type { AutoRecovery } from '../resilience/auto-recovery.js';
import type { MemoryTier } from '../tiers/memory/memory.tier.js';
import { tagsAreValid } from '../tiers/tier.js';
import { capLifetime, type CacheEntry } from './entry.js';
import type { ObserverHub } from './observer-hub.js';
import type { RemoteSlot } from './remote-slot.js';
import type { ResolvedCall, TierSelection } from './resolved-call.js';
import type { SharedClock, Stamp } from './shared-clock.js';
import type { EngineCounters } from './stats.js';
import { normalizeTags } from './tags.js';

export type ReadOutcome =
  | { readonly hit: true; readonly value: unknown; readonly payload: Buffer | undefined }
  | { readonly hit: false; readonly stale: CacheEntry | undefined; readonly clock: number | undefined };

/**
 * Reads and writes across the tiers: top-down reads with backfill of the remaining lifetime, and
 * write-through of fresh entries. A failing remote tier is counted, skipped, and queued for
 * recovery; it never fails the call.
 */
export class TierIO {
  /** Remote writes still running, per key: a delete or clear waits for them, so none lands after it. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly l1: MemoryTier | undefined,
    private readonly clock: SharedClock,
    private readonly recovery: AutoRecovery,
    private readonly hub: ObserverHub,
    private readonly counters: EngineCounters,
    private readonly now: () => number,
    /** The `clone` option: L1 entries also keep their serialized bytes. */
    private readonly l1KeepsPayload: boolean,
  ) {}

  /** Reads the selected tiers top-down; backfills the tiers above a hit. */
  async read(storageKey: string, call: TierSelection): Promise<ReadOutcome> {
    const now = this.now();
    let stale: CacheEntry | undefined;
    if (call.useL1) {
      const entry = this.l1!.peek(storageKey, now);
      if (entry !== undefined && now < entry.staleAt) {
        this.counters.l1.hits++;
        this.counters.hits++;
        return { hit: true, value: entry.value, payload: entry.payload };
      }
      stale = entry;
      this.counters.l1.misses++;
    }
    let clock: number | undefined;
    const missed: RemoteSlot[] = [];
    for (const slot of call.remotes) {
      // What this instance removed while the tier was away must not come back before the replay,
      // which may run inside this very call (the breaker's probe): judge by what was pending before.
      const pending = slot.recovery.size > 0 ? slot.recovery.snapshot() : undefined;
      let result;
      try {
        result = await this.hub.timed(slot, 'get', () => slot.tier.get(storageKey));
      } catch {
        slot.counters.errors++;
        continue;
      }
      if (slot === this.clock.source && result.clock !== undefined) clock = result.clock;
      const entry = result.entry;
      const blocked = entry !== undefined && pending !== undefined && pending.blocks(storageKey, entry.tags);
      if (entry !== undefined && !blocked && tagsAreValid(entry, result.tagStamps)) {
        this.l1?.learnStamps(result.tagStamps);
        if (now < entry.staleAt) {
          slot.counters.hits++;
          this.counters.hits++;
          this.backfill(storageKey, entry, result.payload, call, missed, now);
          return { hit: true, value: entry.value, payload: result.payload };
        }
        if (stale === undefined || entry.staleAt > stale.staleAt) stale = entry;
      }
      slot.counters.misses++;
      missed.push(slot);
    }
    return { hit: false, stale, clock };
  }

  /**
   * Writes a fresh entry to the selected tiers, unless one of its tags was invalidated since `stamp`.
   * L1 is written at once. The remote writes are awaited when `awaitRemote` (an explicit `set`);
   * otherwise (a loader's result) they finish in the background, so a slow or hung tier never
   * delays the caller, and {@link settled} lets a later delete wait for them.
   */
  async store<T>(storageKey: string, value: T, payload: Buffer, call: ResolvedCall<T>, stamp: Stamp, awaitRemote: boolean): Promise<void> {
    const now = this.now();
    const tags = typeof call.tags === 'function' ? normalizeTags(call.tags(value)) : call.tags;
    const staleAt = now + call.ttlMs;
    const entry: CacheEntry<T> = { value, createdAt: stamp.value, staleAt, expiresAt: staleAt + call.graceMs, tags, size: payload.length };
    if (tags.length > 0 && !(await this.clock.stillValid(entry))) return;
    if (call.useL1) this.l1!.setEntry(storageKey, capLifetime(this.forL1(entry, payload), now, call.capsMs.l1));
    // An entry stamped by a stand-in clock cannot be compared with other instances' stamps.
    if (!stamp.shared || call.remotes.length === 0) return;
    const writes = Promise.all(call.remotes.map((slot) => this.writeRemote(slot, storageKey, entry, payload, call, now))).then(() => undefined);
    this.track(storageKey, writes);
    if (awaitRemote) await writes;
  }

  /** Resolves when the remote writes running for `storageKey` (or for every key) have finished. */
  async settled(storageKey?: string): Promise<void> {
    if (storageKey !== undefined) return this.writing.get(storageKey);
    await Promise.all(this.writing.values());
  }

  private track(storageKey: string, writes: Promise<void>): void {
    const previous = this.writing.get(storageKey);
    const all = previous === undefined ? writes : Promise.all([previous, writes]).then(() => undefined);
    this.writing.set(storageKey, all);
    void all.then(() => {
      if (this.writing.get(storageKey) === all) this.writing.delete(storageKey);
    });
  }

  /** Copies a hit into the tiers above it, keeping its remaining lifetime. */
  private backfill(
    storageKey: string,
    entry: CacheEntry,
    payload: Buffer | undefined,
    call: TierSelection,
    missed: readonly RemoteSlot[],
    now: number,
  ): void {
    if (call.useL1) this.l1!.setEntry(storageKey, capLifetime(this.forL1(entry, payload), now, call.capsMs.l1));
    if (payload === undefined) return;
    for (const slot of missed) void this.writeRemote(slot, storageKey, entry, payload, call, now);
  }

  private forL1<T>(entry: CacheEntry<T>, payload: Buffer | undefined): CacheEntry<T> {
    return this.l1KeepsPayload && payload !== undefined ? { ...entry, payload } : entry;
  }

  private async writeRemote(
    slot: RemoteSlot,
    storageKey: string,
    entry: CacheEntry,
    payload: Buffer,
    call: TierSelection,
    now: number,
  ): Promise<void> {
    try {
      await this.hub.timed(slot, 'set', () => slot.tier.set(storageKey, capLifetime(entry, now, call.capsMs[slot.tier.name]), payload));
      slot.counters.writes++;
    } catch {
      slot.counters.writeErrors++;
      // Whatever that tier holds for the key is now outdated; remove it once the tier is back.
      this.recovery.defer(slot, (queue) => queue.addKeys([storageKey]));
    }
  }
}
