import type { AutoRecovery } from '../resilience/auto-recovery.js';
import type { MemoryTier } from '../tiers/memory/memory.tier.js';
import { readKeys, tagsAreValid, writeKeys, type TierName, type TierReadResult } from '../tiers/tier.js';
import type { ChangeLog } from './change-log.js';
import { capLifetime, contradicts, pick, type CacheEntry } from './entry.js';
import type { ObserverHub } from './observer-hub.js';
import type { RemoteSlot } from './remote-slot.js';
import type { ResolvedCall, TierSelection } from './resolved-call.js';
import type { SharedClock, Stamp } from './shared-clock.js';
import type { EngineCounters } from './stats.js';
import { normalizeTags } from './tags.js';

export type ReadOutcome =
  | { readonly hit: true; readonly value: unknown; readonly payload: Buffer | undefined; readonly tier: TierName }
  | { readonly hit: false; readonly stale: CacheEntry | undefined; readonly clock: number | undefined };

/** One key of a batch write: its value, serialized, and the change-log mark its write is judged by. */
export interface BatchItem {
  readonly storageKey: string;
  readonly value: unknown;
  readonly payload: Buffer;
  readonly mark: number;
}

/** Why an entry is written: a loader's result must pass the tag check; an explicit `set` always lands. */
export type StoreKind = 'load' | 'set';

/**
 * Reads and writes across the tiers: top-down reads with backfill of the remaining lifetime, and
 * write-through of fresh entries. A failing remote tier is counted, skipped, and queued for
 * recovery; it never fails the call.
 *
 * Every write that follows a read or a load (copy-up, loader result) carries the change-log mark
 * taken when that read or load began, and is dropped if the key changed since; every remote write
 * is tracked, so a delete or clear waits for the ones already on their way.
 */
export class TierIO {
  /** Remote writes still running, per key: a delete or clear waits for them, so none lands after it. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Set while this instance may be missing invalidations from others: L1 lifetimes are capped to it. */
  blindL1CapMs: number | undefined;

  constructor(
    private readonly l1: MemoryTier | undefined,
    private readonly clock: SharedClock,
    private readonly recovery: AutoRecovery,
    private readonly hub: ObserverHub,
    private readonly counters: EngineCounters,
    private readonly changes: ChangeLog,
    private readonly now: () => number,
    /** The `clone` option: L1 entries also keep their serialized bytes. */
    private readonly l1KeepsPayload: boolean,
  ) {}

  /** Reads the selected tiers top-down; backfills the tiers above a hit unless the key changed since `mark`. */
  async read(storageKey: string, call: TierSelection, mark: number): Promise<ReadOutcome> {
    const now = this.now();
    let stale: CacheEntry | undefined;
    if (call.useL1) {
      const entry = this.l1!.peek(storageKey, now);
      if (entry !== undefined && now < entry.staleAt) {
        this.counters.l1.hits++;
        this.counters.hits++;
        return { hit: true, value: entry.value, payload: entry.payload, tier: 'l1' };
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
      if (result.rejected !== undefined) {
        slot.counters.rejected++;
        this.hub.emit('payloadRejected', { tier: slot.tier.name, key: storageKey, reason: result.rejected });
      }
      const entry = result.entry;
      const blocked = entry !== undefined && pending !== undefined && pending.blocks(storageKey, entry.tags);
      if (entry !== undefined && !blocked && tagsAreValid(entry, result.tagStamps) && (entry.tags.length === 0 || (await this.othersAgree(slot, entry)))) {
        this.l1?.learnStamps(result.tagStamps);
        if (now < entry.staleAt) {
          slot.counters.hits++;
          this.counters.hits++;
          this.backfill(storageKey, entry, result.payload, call, missed, now, mark);
          return { hit: true, value: entry.value, payload: result.payload, tier: slot.tier.name };
        }
        if (stale === undefined || entry.staleAt > stale.staleAt) stale = entry;
      }
      slot.counters.misses++;
      missed.push(slot);
    }
    return { hit: false, stale, clock };
  }

  /**
   * {@link read} for many keys (distinct storage keys) with one round trip per tier: each tier is
   * asked, in one batch, for the keys no tier above answered, and each key is judged, backfilled
   * and counted as `read` does it. The cross-tier tag check of the tagged hits is one round trip too.
   */
  async readMany(storageKeys: readonly string[], call: TierSelection, mark: number): Promise<ReadOutcome[]> {
    const now = this.now();
    const outcomes: Array<ReadOutcome | undefined> = storageKeys.map(() => undefined);
    const stale: Array<CacheEntry | undefined> = storageKeys.map(() => undefined);
    const missed: RemoteSlot[][] = storageKeys.map(() => []);
    if (call.useL1) {
      storageKeys.forEach((storageKey, index) => {
        const entry = this.l1!.peek(storageKey, now);
        if (entry !== undefined && now < entry.staleAt) {
          this.counters.l1.hits++;
          this.counters.hits++;
          outcomes[index] = { hit: true, value: entry.value, payload: entry.payload, tier: 'l1' };
          return;
        }
        stale[index] = entry;
        this.counters.l1.misses++;
      });
    }
    let clock: number | undefined;
    for (const slot of call.remotes) {
      const open = storageKeys.flatMap((_, index) => (outcomes[index] === undefined ? [index] : []));
      if (open.length === 0) break;
      const pending = slot.recovery.size > 0 ? slot.recovery.snapshot() : undefined;
      let results: TierReadResult[];
      try {
        results = await this.hub.timed(slot, 'get', () => readKeys(slot.tier, open.map((index) => storageKeys[index]!)));
      } catch {
        slot.counters.errors++;
        continue;
      }
      const candidates: Array<CacheEntry | undefined> = open.map((index, at) => {
        const storageKey = storageKeys[index]!;
        const result = results[at]!;
        if (slot === this.clock.source && result.clock !== undefined) clock = result.clock;
        if (result.rejected !== undefined) {
          slot.counters.rejected++;
          this.hub.emit('payloadRejected', { tier: slot.tier.name, key: storageKey, reason: result.rejected });
        }
        const entry = result.entry;
        const blocked = entry !== undefined && pending !== undefined && pending.blocks(storageKey, entry.tags);
        return entry !== undefined && !blocked && tagsAreValid(entry, result.tagStamps) ? entry : undefined;
      });
      const agreed = await this.othersAgreeMany(slot, candidates);
      open.forEach((index, at) => {
        const entry = candidates[at];
        const result = results[at]!;
        if (entry !== undefined && agreed[at]) {
          this.l1?.learnStamps(result.tagStamps);
          if (now < entry.staleAt) {
            slot.counters.hits++;
            this.counters.hits++;
            this.backfill(storageKeys[index]!, entry, result.payload, call, missed[index]!, now, mark);
            outcomes[index] = { hit: true, value: entry.value, payload: result.payload, tier: slot.tier.name };
            return;
          }
          const previous = stale[index];
          if (previous === undefined || entry.staleAt > previous.staleAt) stale[index] = entry;
        }
        slot.counters.misses++;
        missed[index]!.push(slot);
      });
    }
    return outcomes.map((outcome, index) => outcome ?? { hit: false, stale: stale[index], clock });
  }

  /**
   * {@link store} of loaders' results for many keys: each entry is written, or dropped, exactly as
   * `store(..., 'load')` decides for it, with the tag check of all the tagged entries in one round trip.
   */
  async storeLoaded(items: ReadonlyArray<BatchItem>, call: ResolvedCall<unknown>, stamp: Stamp): Promise<void> {
    const now = this.now();
    const entries = this.entriesOf(items, call, stamp, now);
    const valid = await this.clock.stillValidMany(entries);
    items.forEach(({ storageKey, payload, mark }, index) => {
      const entry = entries[index]!;
      if (!valid[index] || !this.changes.unchangedSince(storageKey, mark)) return;
      if (call.useL1) this.l1!.setEntry(storageKey, this.forL1(entry, payload, now, call));
      void this.writeRemotes(storageKey, entry, payload, call.remotes, call, now, stamp, 'load');
    });
  }

  /**
   * {@link store} of explicit sets for many distinct keys, with one write per remote tier: each
   * entry lands in L1 and is written below as `store(..., 'set')` writes it, and L1 forgets a key
   * that changed meanwhile.
   */
  async storeSets(items: ReadonlyArray<BatchItem>, call: ResolvedCall<unknown>, stamp: Stamp): Promise<void> {
    const now = this.now();
    const entries = this.entriesOf(items, call, stamp, now);
    // As for a single set: the check only teaches L1 the tags' stamps; the set lands either way.
    if (entries.some((entry) => entry.tags.length > 0)) await this.clock.stillValidMany(entries);
    if (call.useL1) items.forEach(({ storageKey, payload }, index) => this.l1!.setEntry(storageKey, this.forL1(entries[index]!, payload, now, call)));
    const writes = items.map((item, index) => ({ key: item.storageKey, entry: entries[index]!, payload: item.payload }));
    const keys = writes.map(({ key }) => key);
    if (call.remotes.length > 0) {
      const written = Promise.all(
        call.remotes.map((slot) => {
          if (!stamp.shared && slot === this.clock.source) {
            this.recovery.deferKeys(slot, keys);
            return undefined;
          }
          return this.writeRemoteMany(slot, writes, call, now);
        }),
      ).then(() => undefined);
      for (const key of keys) this.track(key, written);
      await written;
    }
    for (const { storageKey, mark } of items) if (!this.changes.unchangedSince(storageKey, mark)) this.l1?.deleteKeys([storageKey]);
  }

  private entriesOf(items: ReadonlyArray<BatchItem>, call: ResolvedCall<unknown>, stamp: Stamp, now: number): CacheEntry[] {
    const staleAt = now + call.ttlMs;
    return items.map(({ value, payload }) => ({
      value,
      createdAt: stamp.value,
      staleAt,
      expiresAt: staleAt + call.graceMs,
      tags: typeof call.tags === 'function' ? normalizeTags(call.tags(value)) : call.tags,
      size: payload.length,
    }));
  }

  private async writeRemoteMany(slot: RemoteSlot, writes: ReadonlyArray<{ key: string; entry: CacheEntry; payload: Buffer }>, call: TierSelection, now: number): Promise<void> {
    const cap = call.capsMs[slot.tier.name];
    try {
      await this.hub.timed(slot, 'set', () => writeKeys(slot.tier, writes.map((write) => ({ ...write, entry: capLifetime(write.entry, now, cap) }))));
      slot.counters.writes += writes.length;
    } catch {
      slot.counters.writeErrors++;
      this.recovery.deferKeys(slot, writes.map(({ key }) => key));
    }
  }

  /**
   * Writes a fresh entry to the selected tiers. A loader's result (`load`) is dropped when one of its
   * tags was invalidated since `stamp`, or when the key changed since `mark`.
   * L1 is written at once. The remote writes are awaited for a `set`; a loader's finish in the
   * background, so a slow or hung tier never delays the caller, and {@link settled} lets a later
   * delete wait for them.
   */
  async store<T>(storageKey: string, value: T, payload: Buffer, call: ResolvedCall<T>, stamp: Stamp, mark: number, kind: StoreKind, key: string): Promise<void> {
    const now = this.now();
    const tags = typeof call.tags === 'function' ? normalizeTags(call.tags(value)) : call.tags;
    if (call.atWrite !== undefined) {
      const tuned = call.atWrite(tags);
      if (tuned === null) return;
      call = tuned;
    }
    if (this.hub.observed) this.hub.emit('stored', { key, kind, bytes: payload.length, tags });
    const staleAt = now + call.ttlMs;
    const entry: CacheEntry<T> = { value, createdAt: stamp.value, staleAt, expiresAt: staleAt + call.graceMs, tags, size: payload.length };
    // A set is a write, not a loader's result: it lands even if a concurrent invalidation of its
    // tags wins (then it reads as invalidated), so the value it replaces is gone either way. The
    // check still runs for it: it teaches L1 the tags' stamps, without which L1 cannot serve it.
    if (tags.length > 0 && !(await this.clock.stillValid(entry)) && kind === 'load') return;
    if (kind === 'load') {
      if (!this.changes.unchangedSince(storageKey, mark)) return;
      if (call.useL1) this.l1!.setEntry(storageKey, this.forL1(entry, payload, now, call));
      void this.writeRemotes(storageKey, entry, payload, call.remotes, call, now, stamp, 'load');
      return;
    }
    // A set is never dropped for a change that came meanwhile (another instance's write, which may
    // have finished before this one began): the tiers order the two by stamp. Only this instance's
    // L1 cannot: if the key changed meanwhile, L1 forgets it, and the next read asks the tiers.
    if (call.useL1) this.l1!.setEntry(storageKey, this.forL1(entry, payload, now, call));
    await this.writeRemotes(storageKey, entry, payload, call.remotes, call, now, stamp, 'set');
    if (!this.changes.unchangedSince(storageKey, mark)) this.l1?.deleteKeys([storageKey]);
  }

  /** Resolves when the remote writes running for `storageKey` (or for every key) have finished. */
  async settled(storageKey?: string): Promise<void> {
    if (storageKey !== undefined) return this.writing.get(storageKey);
    await Promise.all(this.writing.values());
  }

  /**
   * L2 and L3 hold their own tag stamps, and either may lag (a stamp that could not be written, a
   * tier restored from an older state): a hit is also checked against what L1 has learnt, and a
   * tagged hit from a tier below the clock tier against the clock tier's stamps.
   */
  private async othersAgree(slot: RemoteSlot, entry: CacheEntry): Promise<boolean> {
    if (this.l1 !== undefined && contradicts(await this.l1.tagStamps(entry.tags), entry)) return false;
    const clockSlot = this.clock.source;
    if (clockSlot === undefined || slot === clockSlot || clockSlot.breaker.state === 'open') return true;
    try {
      const stamps = await clockSlot.breaker.run(() => clockSlot.tier.tagStamps(entry.tags));
      this.l1?.learnStamps(stamps);
      return tagsAreValid(entry, stamps);
    } catch {
      // The clock tier cannot answer: the tier's own stamps (checked above) decide.
      clockSlot.counters.errors++;
      return true;
    }
  }

  /** {@link othersAgree} for a batch of candidates (`undefined`: not a candidate), one clock-tier round trip. */
  private async othersAgreeMany(slot: RemoteSlot, entries: ReadonlyArray<CacheEntry | undefined>): Promise<boolean[]> {
    const verdicts = entries.map((entry) => entry !== undefined);
    const tagged = entries.flatMap((entry, index) => (entry !== undefined && entry.tags.length > 0 ? [index] : []));
    if (tagged.length === 0) return verdicts;
    const tags = [...new Set(tagged.flatMap((index) => entries[index]!.tags))];
    if (this.l1 !== undefined) {
      const known = await this.l1.tagStamps(tags);
      for (const index of tagged) if (contradicts(pick(known, entries[index]!.tags), entries[index]!)) verdicts[index] = false;
    }
    const clockSlot = this.clock.source;
    if (clockSlot === undefined || slot === clockSlot || clockSlot.breaker.state === 'open') return verdicts;
    try {
      const stamps = await clockSlot.breaker.run(() => clockSlot.tier.tagStamps(tags));
      this.l1?.learnStamps(stamps);
      for (const index of tagged) if (!tagsAreValid(entries[index]!, stamps)) verdicts[index] = false;
    } catch {
      clockSlot.counters.errors++;
    }
    return verdicts;
  }

  /** Copies a hit into the tiers above it, keeping its remaining lifetime. */
  private backfill(
    storageKey: string,
    entry: CacheEntry,
    payload: Buffer | undefined,
    call: TierSelection,
    missed: readonly RemoteSlot[],
    now: number,
    mark: number,
  ): void {
    if (!this.changes.unchangedSince(storageKey, mark)) return;
    if (call.useL1) this.l1!.setEntry(storageKey, this.forL1(entry, payload, now, call));
    if (payload !== undefined && missed.length > 0) void this.writeRemotes(storageKey, entry, payload, missed, call, now, undefined, 'load');
  }

  /**
   * Starts the remote writes and tracks them. An entry stamped by a stand-in clock (the clock tier
   * was unreachable) is not comparable with the clock tier's stamps: a set so stamped skips that
   * tier, whose old value for the key is queued for removal instead, so it cannot outlive this
   * write; a loader's result so stamped is not written below L1 at all.
   */
  private writeRemotes(
    storageKey: string,
    entry: CacheEntry,
    payload: Buffer,
    slots: readonly RemoteSlot[],
    call: TierSelection,
    now: number,
    stamp: Stamp | undefined,
    kind: StoreKind,
  ): Promise<void> {
    if (slots.length === 0) return Promise.resolve();
    // A loader's result stamped by a stand-in clock stays in L1: written below, a later write stamped
    // by the clock tier could lose to it.
    if (stamp !== undefined && !stamp.shared && kind === 'load') return Promise.resolve();
    const writes = Promise.all(
      slots.map((slot) => {
        if (stamp !== undefined && !stamp.shared && slot === this.clock.source) {
          this.recovery.deferKeys(slot, [storageKey]);
          return undefined;
        }
        return this.writeRemote(slot, storageKey, entry, payload, call, now);
      }),
    ).then(() => undefined);
    this.track(storageKey, writes);
    return writes;
  }

  private track(storageKey: string, writes: Promise<void>): void {
    const previous = this.writing.get(storageKey);
    const all = previous === undefined ? writes : Promise.all([previous, writes]).then(() => undefined);
    this.writing.set(storageKey, all);
    void all.then(() => {
      if (this.writing.get(storageKey) === all) this.writing.delete(storageKey);
    });
  }

  private forL1<T>(entry: CacheEntry<T>, payload: Buffer | undefined, now: number, call: TierSelection): CacheEntry<T> {
    const kept = this.l1KeepsPayload && payload !== undefined ? { ...entry, payload } : entry;
    const cap = call.capsMs.l1;
    const blind = this.blindL1CapMs;
    return capLifetime(kept, now, blind !== undefined && (cap === undefined || blind < cap) ? blind : cap);
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
      this.recovery.deferKeys(slot, [storageKey]);
    }
  }
}

