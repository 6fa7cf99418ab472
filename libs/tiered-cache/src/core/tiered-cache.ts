import { randomUUID } from 'node:crypto';
import { AutoRecovery, type DurableBacklog } from '../resilience/auto-recovery.js';
import type { CircuitState } from '../resilience/circuit-breaker.js';
import type { KeyLock } from '../resilience/key-lock.js';
import { awaitWithTimeouts } from '../resilience/loader-timeouts.js';
import type { BusMessage, CacheBus } from '../sync/bus-message.js';
import { PolicyBoard } from '../policies/policy-board.js';
import type { PolicySet } from '../policies/policy-set.js';
import { buildSecurity } from '../security/security.build.js';
import type { MemoryTier } from '../tiers/memory/memory.tier.js';
import { MissingCacheTablesError } from '../tiers/postgres/postgres.setup.js';
import type { PostgresTier } from '../tiers/postgres/postgres.tier.js';
import type { RedisTier } from '../tiers/redis/redis.tier.js';
import type { Tier, TierName } from '../tiers/tier.js';
import { joinSplit, splitByPolicy } from './batch-policies.js';
import { aligned, getMany, getOrSetMany, type BatchEngine, type BatchLoader } from './batch-reads.js';
import { ChangeLog } from './change-log.js';
import { LocalClock } from './clock.js';
import { toMilliseconds } from './duration.js';
import type { CacheEntry } from './entry.js';
import { PayloadTooLargeError, SerializationError } from './errors.js';
import { fulfilsWithin, valueWithin } from './fulfils-within.js';
import { assertNamespace, KeyBuilder } from './key-builder.js';
import type { CacheObserver } from './observer.js';
import { ObserverHub, type CallRecord } from './observer-hub.js';
import type { CacheCallOptions, InvalidateOptions, TieredCacheOptions } from './options.js';
import type { RemoteSlot } from './remote-slot.js';
import { parseCaps, resolveCall, type ResolvedCall, type TierSelection } from './resolved-call.js';
import { v8Serializer, type Serializer } from './serializer.js';
import { SharedClock, UNKNOWN_STAMP, type Stamp } from './shared-clock.js';
import { SingleFlight, type Flight } from './single-flight.js';
import { emptyEngineCounters, ratio, type CacheStats } from './stats.js';
import { normalizeTags } from './tags.js';
import { TierIO } from './tier-io.js';
import { buildTopology, type TierOff, type TopologyBus } from './topology.js';

const LOCK_POLL_MS = 25;
/** Pending tags swept into Redis per round trip. */
const PENDING_SWEEP_BATCH = 500;
/** The pending-delete key that stands for a clear of the namespace: no user key is empty. */
const CLEAR_ALL = '';

/**
 * The engine: L1 memory, L2 Redis and L3 PostgreSQL behind one API. Framework-free.
 *
 * Reads go top-down and copy a hit into the tiers above with its remaining lifetime. Writes go to
 * every selected tier. Concurrent misses on a key run the loader once. Tags are invalidated
 * lazily against a shared clock (docs/tags.md), and a failing tier never fails a call.
 */
export class TieredCache {
  readonly namespace: string;
  readonly instanceId: string;
  readonly l1: MemoryTier | undefined;
  private readonly remotes: readonly RemoteSlot[];
  private readonly redis: RedisTier | undefined;
  private readonly postgres: (RemoteSlot & { readonly tier: PostgresTier }) | undefined;
  /** Remote tiers configured without a server to reach (`redis: { url: undefined }`), and so off. */
  readonly offTiers: readonly TierOff[];
  private readonly bus: TopologyBus | undefined;
  private readonly lock: KeyLock | undefined;
  private readonly now: () => number;
  private readonly flights = new SingleFlight();
  private readonly changes = new ChangeLog();
  /** Explicit sets and deletes still running, per key: a read on this instance waits for them. */
  private readonly mutations = new Map<string, Promise<void>>();
  /** A clear still running: every read, set and delete on this instance waits for it. */
  private clearing: Promise<void> | undefined;
  private readonly keys: KeyBuilder;
  private readonly serializer: Serializer;
  private readonly maxPayloadBytes: number;
  private readonly defaultCall: ResolvedCall<unknown>;
  private readonly tierCapsMs: Partial<Record<TierName, number>>;
  private readonly failSafeThrottleMs: number;
  private readonly counters = emptyEngineCounters();
  private readonly refreshBackoff = new Map<string, number>();
  private readonly resolvedCalls = new WeakMap<object, ResolvedCall<unknown>>();
  private readonly invalidationsBySource = new Map<string, number>();
  private readonly hub = new ObserverHub();
  private readonly clock: SharedClock;
  private readonly recovery: AutoRecovery;
  private readonly io: TierIO;
  /** Set with the `clone` option: every read hands out its own copy. */
  private readonly copy: (<T>(value: T) => T) | undefined;
  private closed = false;
  private batch: BatchEngine | undefined;
  /** Why this instance may be missing other instances' invalidations right now ('bus', 'listener'). */
  private readonly blindness = new Set<string>();
  private readonly blindL1TtlMs: number;
  private sweeping: Promise<readonly string[]> | undefined;
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  /** Runtime policies in force, and who to tell when another instance edits them. */
  private readonly board = new PolicyBoard();

  constructor(options: TieredCacheOptions = {}) {
    this.namespace = assertNamespace(options.namespace ?? 'default');
    this.instanceId = options.instanceId ?? randomUUID();
    this.now = options.now ?? Date.now;
    this.keys = new KeyBuilder(options.maxKeyBytes);
    this.serializer = options.serializer ?? v8Serializer;
    const { codec, busSigner } = buildSecurity(options, this.serializer);
    this.maxPayloadBytes = codec.maxPayloadBytes;
    this.failSafeThrottleMs = toMilliseconds(options.failSafeThrottle ?? '10s', 'failSafeThrottle');
    this.tierCapsMs = parseCaps(options.tierTtl ?? { l1: '1m' });

    const topology = buildTopology(options, {
      namespace: this.namespace,
      instanceId: this.instanceId,
      codec,
      busSigner,
      onTierRecovered: () => {
        void this.recovery.recover();
        void this.syncPendingTags().catch(() => undefined);
      },
      replayTier: (slot) => this.recovery.replay(slot),
    });
    ({ l1: this.l1, remotes: this.remotes, redis: this.redis, postgres: this.postgres, bus: this.bus, lock: this.lock } = topology);
    this.offTiers = topology.off;
    this.bus?.onMessage((message) => this.apply(message));
    this.bus?.onLost(() => this.invalidationSourceLost('bus'));
    this.bus?.onRecovered(() => this.onBusRecovered());
    this.blindL1TtlMs = toMilliseconds(options.blindL1Ttl ?? '1s', 'blindL1Ttl');

    const clockSlot = this.remotes[0];
    this.recovery = new AutoRecovery(this.remotes, clockSlot, this.bus as CacheBus | undefined, this.l1, this.durableBacklog());
    const deferTags = (slot: RemoteSlot, tags: readonly string[]) => this.recovery.deferTags(slot, tags);
    this.clock = new SharedClock(clockSlot, this.remotes, this.l1, new LocalClock(options.now), deferTags);
    this.io = new TierIO(this.l1, this.clock, this.recovery, this.hub, this.counters, this.changes, this.now, options.clone === true);
    this.defaultCall = this.resolveCall({ ...options.defaults });
    // Through the serializer, not structuredClone: a copy then looks exactly like an L2/L3 hit
    // (structuredClone turns a Buffer into a plain Uint8Array; v8 keeps it a Buffer).
    const serializer = this.serializer;
    this.copy = options.clone === true ? <T>(value: T) => serializer.deserialize(serializer.serialize(value)) as T : undefined;
    if (this.redis !== undefined && this.postgres !== undefined) {
      const sweepMs = toMilliseconds(options.pendingSweepInterval ?? '1s', 'pendingSweepInterval');
      this.sweepTimer = setInterval(() => void this.syncPendingTags().catch(() => undefined), sweepMs);
      this.sweepTimer.unref();
    }
  }

  /**
   * Resolves once the Redis connection is up and the bus subscribed, or after `timeoutMs`, and
   * checks the L3 tables (creating them with `postgres.createTables`). An unreachable server does
   * not make it reject: a cache whose Redis or PostgreSQL is away still serves, from the other tiers.
   * @returns whether everything configured is connected.
   * @throws MissingCacheTablesError when PostgreSQL answers but the cache tables are missing.
   */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    const startedAt = performance.now();
    // Missing tables are a configuration error, not an outage: they fail start-up. An unreachable
    // PostgreSQL does not (the tier's breaker handles it), nor one that does not answer in time.
    const schemaProblem = this.postgres?.tier.prepare().then(
      () => undefined,
      (error: unknown) => (error instanceof MissingCacheTablesError ? error : undefined),
    );
    const waits: Array<Promise<unknown>> = [];
    if (this.redis) waits.push(this.redis.ready(timeoutMs));
    if (this.bus) waits.push(this.bus.ready(timeoutMs));
    const results = await Promise.allSettled(waits);
    if (schemaProblem !== undefined) {
      const problem = await valueWithin(schemaProblem, timeoutMs - (performance.now() - startedAt));
      if (problem !== undefined) throw problem;
    }
    const connected = results.every((result) => result.status === 'fulfilled');
    if (!this.redis || !connected) return connected;
    // One reading of the shared clock, so that a set made if it becomes unreachable later can be
    // stamped from it (SharedClock.readForSet) rather than by another tier's clock. Bounded: a
    // client given without a command timeout would otherwise keep start-up waiting on a hung server.
    return fulfilsWithin(this.clock.read(), timeoutMs - (performance.now() - startedAt));
  }

  /**
   * Returns the cached value for `key`, or runs `loader` once (however many callers miss at once),
   * stores its result in every selected tier, and returns it.
   */
  getOrSet<T>(key: string, loader: () => T | Promise<T>, options?: CacheCallOptions<T>): Promise<T> {
    const started = this.hub.callStart();
    if (started === undefined) return this.getOrSetNow(key, loader, options, undefined);
    const record: CallRecord = {};
    return this.hub.settle(this.getOrSetNow(key, loader, options, record), started, 'getOrSet', { key, record });
  }

  /** Returns the cached value, or `undefined`. Stale entries are not returned. */
  get<T>(key: string, options?: Pick<CacheCallOptions<T>, 'tiers'>): Promise<T | undefined> {
    const started = this.hub.callStart();
    if (started === undefined) return this.getNow(key, options, undefined);
    const record: CallRecord = {};
    return this.hub.settle(this.getNow(key, options, record), started, 'get', { key, record });
  }

  /**
   * Writes `value` to every selected tier.
   * @throws SerializationError when the value cannot be serialized; then nothing is written.
   */
  set<T>(key: string, value: T, options?: CacheCallOptions<T>): Promise<void> {
    const started = this.hub.callStart();
    const done = this.setNow(key, value, options);
    return started === undefined ? done : this.hub.settle(done, started, 'set', { key });
  }

  /** Removes `key` from every tier, here and (through the bus) on every other instance. */
  delete(key: string): Promise<void> {
    const started = this.hub.callStart();
    const done = this.deleteNow(key);
    return started === undefined ? done : this.hub.settle(done, started, 'delete', { key });
  }

  /**
   * Invalidates every entry carrying any of `tags`, in O(1) per tag whatever the number of entries.
   * Once this resolves, no tier on this instance serves an entry created before the call.
   */
  invalidateTags(tags: readonly string[], options: InvalidateOptions = {}): Promise<void> {
    const started = this.hub.callStart();
    const done = this.invalidateTagsNow(tags, options);
    return started === undefined ? done : this.hub.settle(done, started, 'invalidateTags', { tags: Array.isArray(tags) ? tags.length : 0 });
  }

  /**
   * `get` for many keys: one value (or `undefined`) per key, in the order given; a key given twice
   * is read once. One round trip per tier for the keys the tiers above did not answer.
   * See docs/batch.md.
   */
  getMany<T>(keys: readonly string[], options?: Pick<CacheCallOptions<T>, 'tiers'>): Promise<Array<T | undefined>> {
    const started = this.hub.callStart();
    const split = Array.isArray(keys) ? splitByPolicy(this.board.set, keys, undefined) : undefined;
    const done =
      split === undefined
        ? getMany<T>(this.batchEngine, keys, options)
        : joinSplit<T | undefined>(
            split,
            (indexes) => getMany<T>(this.batchEngine, indexes.map((index) => keys[index]!), options),
            (index) => this.getNow<T>(keys[index]!, options, undefined),
          );
    return started === undefined ? done : this.hub.settle(done, started, 'get', {});
  }

  /**
   * `getOrSet` for many keys: one value per key, in the order given. The keys no tier holds go to
   * `loadMissing` in one call, which returns their values (an array in the order of the keys it
   * got, or a map). Each key is single-flight with the single calls on it.
   * @throws BatchLoaderError when `loadMissing` does not return one value per key.
   */
  getOrSetMany<T>(keys: readonly string[], loadMissing: BatchLoader<T>, options?: CacheCallOptions<T>): Promise<T[]> {
    const started = this.hub.callStart();
    const split = Array.isArray(keys) ? splitByPolicy(this.board.set, keys, options) : undefined;
    const done =
      split === undefined
        ? getOrSetMany<T>(this.batchEngine, keys, loadMissing, options)
        : joinSplit<T>(
            split,
            (indexes) => getOrSetMany<T>(this.batchEngine, indexes.map((index) => keys[index]!), loadMissing, options),
            (index) => this.getOrSetNow<T>(keys[index]!, async () => aligned([keys[index]!], await loadMissing([keys[index]!]))[0]!, options, undefined),
          );
    return started === undefined ? done : this.hub.settle(done, started, 'getOrSet', {});
  }

  /**
   * `set` for many entries, with the same options for all: one write per remote tier and one bus
   * message. Every value is serialized before anything is written: one that cannot be throws
   * SerializationError naming its key, and nothing of the batch is written. A key given twice
   * takes its last value.
   */
  async setMany<T>(entries: ReadonlyArray<readonly [string, T]>, options?: CacheCallOptions<T>): Promise<void> {
    if (!Array.isArray(entries)) throw new TypeError('setMany takes an array of [key, value] pairs');
    const split = splitByPolicy(this.board.set, entries.map(([key]) => key), options);
    if (split === undefined) return this.setManyNow(entries, options);
    // The keys a runtime policy matches are set one by one, each under its policy.
    const batched = split.batched.map((index) => entries[index]!);
    await Promise.all([
      batched.length > 0 ? this.setManyNow(batched, options) : undefined,
      ...split.single.map((index) => this.setNow(entries[index]![0], entries[index]![1], options)),
    ]);
  }

  /** {@link setMany} of entries no runtime policy matches. */
  private async setManyNow<T>(entries: ReadonlyArray<readonly [string, T]>, options: CacheCallOptions<T> | undefined): Promise<void> {
    const call = options === undefined ? (this.defaultCall as ResolvedCall<T>) : this.resolveCall(options);
    const last = new Map<string, { key: string; value: T }>();
    for (const [key, value] of entries) last.set(this.keys.build(key), { key, value });
    const items = [...last].map(([storageKey, { key, value }]) => ({ storageKey, value, payload: this.serialize(key, value) }));
    const marked = items.map((item) => ({ ...item, mark: this.changed(item.storageKey) }));
    const storageKeys = items.map(({ storageKey }) => storageKey);
    await this.mutateMany(storageKeys, async () => {
      await this.io.storeSets(marked, call as ResolvedCall<unknown>, await this.clock.readForSet());
      await this.recovery.publish({ kind: 'set', namespace: this.namespace, keys: storageKeys });
    });
  }

  /** `delete` for many keys: one delete per remote tier and one bus message for the whole batch. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new TypeError('deleteMany takes an array of keys');
    const storageKeys = [...new Set(keys.map((key) => this.keys.build(key)))];
    if (storageKeys.length > 0) await this.erase(storageKeys);
  }

  /** `record` is given when someone observes: the call notes in it who answered. */
  private async getOrSetNow<T>(key: string, loader: () => T | Promise<T>, options: CacheCallOptions<T> | undefined, record: CallRecord | undefined): Promise<T> {
    const policy = this.board.set.match(key, options);
    if (policy?.disabled) {
      this.counters.loaderCalls++;
      return loader();
    }
    if (policy !== undefined) options = policy.apply(options);
    const storageKey = this.keys.build(key);
    this.counters.reads++;
    const fresh = this.freshInL1(storageKey, options?.tiers);
    if (fresh !== undefined) {
      if (record !== undefined) record.answer = 'l1';
      if (options?.refreshAhead !== undefined || this.defaultCall.refreshAhead !== undefined) {
        this.refreshAhead(key, storageKey, fresh, loader, options);
      }
      return this.copy ? this.copyOf<T>(fresh) : (fresh.value as T);
    }
    const running = this.flights.get(storageKey);
    if (running !== undefined) {
      this.counters.coalesced++;
      if (record !== undefined) {
        record.coalesced = true;
        record.flight = running;
      }
      return this.handOut(running.promise as Promise<T>);
    }
    const call = this.board.atWrite(policy !== undefined, options === undefined ? (this.defaultCall as ResolvedCall<T>) : this.resolveCall(options), this.resolveOver);
    if (record !== undefined) record.ttlMs = call.ttlMs;
    const flight = this.flights.start<T>(storageKey, this.changes.mark(), staticTags(call), (started) =>
      this.readOrLoad(key, storageKey, loader, call, started),
    );
    if (record !== undefined) record.flight = flight;
    return this.handOut(flight.promise);
  }

  private async getNow<T>(key: string, options: Pick<CacheCallOptions<T>, 'tiers'> | undefined, record: CallRecord | undefined): Promise<T | undefined> {
    const policy = this.board.set.match(key, undefined);
    if (policy?.disabled) return undefined;
    if (policy !== undefined) options = policy.apply(options);
    const storageKey = this.keys.build(key);
    this.counters.reads++;
    const fresh = this.freshInL1(storageKey, options?.tiers);
    if (fresh !== undefined) {
      if (record !== undefined) record.answer = 'l1';
      return this.copy ? this.copyOf<T>(fresh) : (fresh.value as T);
    }
    const running = this.runningFor(storageKey);
    if (running !== undefined) await running; // read-your-writes: this instance's sets and deletes first
    const outcome = await this.io.read(storageKey, options?.tiers ? this.resolveCall(options) : this.defaultCall, this.changes.mark());
    if (record !== undefined) record.answer = outcome.hit ? outcome.tier : 'miss';
    if (!outcome.hit) return undefined;
    return this.copy ? this.copyOf<T>(outcome) : (outcome.value as T);
  }

  private async setNow<T>(key: string, value: T, options?: CacheCallOptions<T>): Promise<void> {
    const policy = this.board.set.match(key, options);
    // Nothing is written, and nothing older is left behind to be served once caching is back on.
    if (policy?.disabled) return this.deleteNow(key);
    if (policy !== undefined) options = policy.apply(options);
    const storageKey = this.keys.build(key);
    const payload = this.serialize(key, value);
    const call = this.board.atWrite(policy !== undefined, options === undefined ? (this.defaultCall as ResolvedCall<T>) : this.resolveCall(options), this.resolveOver);
    // Synchronously: a read on this instance from now on waits for this write, not the old value.
    const mark = this.changed(storageKey);
    await this.mutate(storageKey, async () => {
      await this.io.store(storageKey, value, payload, call, await this.clock.readForSet(), mark, 'set', key);
      await this.recovery.publish({ kind: 'set', namespace: this.namespace, keys: [storageKey] });
    });
  }

  /** Async, so that a bad key rejects rather than throws. */
  private async deleteNow(key: string): Promise<void> {
    await this.erase([this.keys.build(key)]);
  }

  /** Removes `storageKeys` from every tier, here and (one bus message) on every other instance. */
  private async erase(storageKeys: readonly string[]): Promise<void> {
    for (const storageKey of storageKeys) this.changed(storageKey);
    await this.mutateMany(storageKeys, async () => {
      // Writes already on their way land first, then the delete covers them.
      await Promise.all(storageKeys.map((storageKey) => this.io.settled(storageKey)));
      const stamp = await this.deleteStamp();
      await Promise.all(
        this.remotes.map((slot) =>
          slot.breaker.run(() => slot.tier.delete(storageKeys, stamp)).catch(() => this.recovery.deferKeys(slot, storageKeys)),
        ),
      );
      await this.recovery.publish({ kind: 'delete', namespace: this.namespace, keys: storageKeys });
    });
  }

  private async invalidateTagsNow(tags: readonly string[], options: InvalidateOptions): Promise<void> {
    const normalized = normalizeTags(tags);
    if (normalized.length === 0) return;
    const source = options.source ?? 'app';
    this.invalidationsBySource.set(source, (this.invalidationsBySource.get(source) ?? 0) + 1);
    this.hub.emit('invalidation', { source, origin: 'local', tags: normalized.length });
    const stamp = await this.clock.stampTags(normalized);
    this.l1?.learnStamps(new Map(normalized.map((tag) => [tag, stamp])));
    // Once the stamp is known, not before: a load that began while it was being written may have
    // read the old entry, and a call arriving after this resolves must not join it. A load that
    // starts from here on finds the stamp in the tiers and in L1.
    this.flights.detachTagged(normalized);
    if (stamp !== UNKNOWN_STAMP && options.broadcast !== false) await this.recovery.publish({ kind: 'tags', tags: normalized, stamp });
  }

  /**
   * Sweeps the tags stamped in L3 but not in Redis (by database triggers, or by an instance while
   * Redis was unreachable to it) into Redis, tells the other instances, and clears their pending
   * marks. Durable: a mark survives restarts until some instance has swept it. Runs on a timer, after
   * Redis recovers and when the database listener (re)connects; one sweep at a time.
   * @returns the tags swept.
   */
  async syncPendingTags(): Promise<readonly string[]> {
    this.sweeping ??= this.sweepPendingTags().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /**
   * Tells the cache that a source of invalidations (`bus`, `listener`) was lost: what other
   * instances or the database invalidate from now on may not reach this instance. L1 is emptied and,
   * until every lost source is back, its entries live at most `blindL1Ttl`.
   */
  invalidationSourceLost(source: string): void {
    this.blindness.add(source);
    this.io.blindL1CapMs = this.blindL1TtlMs;
    this.l1?.reset();
  }

  /** The source is back, and whatever it carried meanwhile is lost: L1 is emptied once more. */
  invalidationSourceRestored(source: string): void {
    this.blindness.delete(source);
    if (this.blindness.size === 0) this.io.blindL1CapMs = undefined;
    this.l1?.reset();
  }

  /** Empties this cache's namespace in every tier and on every instance. Tag clocks are kept. */
  async clear(): Promise<void> {
    this.changes.changeAll();
    this.flights.detach();
    void this.l1?.clear(); // synchronous inside
    // Reads, sets and deletes on this instance wait for it: a read meanwhile would find the old
    // entries in the tiers not yet cleared and copy them back into L1.
    const previous = this.clearing;
    const running = (async () => {
      await previous?.catch(() => undefined);
      await Promise.all([...this.mutations.values()].map((mutation) => mutation.catch(() => undefined)));
      await this.io.settled();
      const stamp = await this.deleteStamp();
      await Promise.all(
        this.remotes.map((slot) =>
          slot.breaker.run(() => slot.tier.clear(stamp)).catch(() => this.recovery.deferClear(slot)),
        ),
      );
      await this.recovery.publish({ kind: 'clear', namespace: this.namespace });
    })();
    this.clearing = running;
    const forget = () => {
      if (this.clearing === running) this.clearing = undefined;
    };
    running.then(forget, forget);
    return running;
  }

  /** Counters since start-up, per tier and overall. */
  stats(): CacheStats {
    const tiers: CacheStats['tiers'] = {};
    if (this.l1) tiers.l1 = { ...this.counters.l1, hitRatio: ratio(this.counters.l1.hits, this.counters.reads), circuit: 'n/a' };
    for (const slot of this.remotes) {
      const c = slot.counters;
      tiers[slot.tier.name] = { ...c, hitRatio: ratio(c.hits, c.hits + c.misses), circuit: slot.breaker.state };
    }
    return {
      namespace: this.namespace,
      tiers,
      hitRatio: ratio(this.counters.hits, this.counters.reads),
      loaderCalls: this.counters.loaderCalls,
      coalescedCalls: this.counters.coalesced,
      staleServed: this.counters.staleServed,
      refreshes: this.counters.refreshes,
      lockWaits: this.counters.lockWaits,
      invalidations: Object.fromEntries(this.invalidationsBySource),
      l1: { entries: this.l1?.entryCount ?? 0, bytes: this.l1?.byteSize ?? 0 },
      bus: this.bus ? (this.bus.connected ? 'connected' : 'disconnected') : 'disabled',
    };
  }

  /** The configured tiers, top-down, with their circuit state (L1 has none). */
  tiers(): Array<{ name: TierName; tier: Tier; circuit: CircuitState | 'n/a' }> {
    const list: Array<{ name: TierName; tier: Tier; circuit: CircuitState | 'n/a' }> = [];
    if (this.l1) list.push({ name: 'l1', tier: this.l1, circuit: 'n/a' });
    for (const slot of this.remotes) list.push({ name: slot.tier.name, tier: slot.tier, circuit: slot.breaker.state });
    return list;
  }

  /** Lifetime, in milliseconds, of entries written without a `ttl`: `defaults.ttl`, else 5 minutes. */
  get defaultTtlMs(): number {
    return this.defaultCall.ttlMs;
  }

  /**
   * Puts runtime policies in force on this instance, for the calls that start from now on
   * (docs/policies.md). Entries already written keep the lifetime they were written with.
   */
  setPolicies(set: PolicySet): void {
    this.board.set = set;
  }

  /** The runtime policies in force on this instance. */
  policies(): PolicySet {
    return this.board.set;
  }

  /** Tells the other instances of the namespace that its policies were edited (through the bus). */
  announcePolicies(): Promise<void> {
    return this.recovery.publish({ kind: 'policies', namespace: this.namespace });
  }

  /** Calls `handler` when another instance announces a policy edit; returns a function that removes it. */
  onPoliciesAnnounced(handler: () => void): () => void {
    return this.board.onAnnounced(handler);
  }

  /** Registers hooks for metrics; returns a function that removes them. */
  observe(observer: CacheObserver): () => void {
    return this.hub.observe(observer);
  }

  /** The storage key a user key maps to (long keys are hashed). */
  storageKey(key: string): string {
    return this.keys.build(key);
  }

  /**
   * Resolves once the L2/L3 writes already on their way (a loader's result is written to them in
   * the background) have landed or failed. For tests and graceful hand-offs: a read after it finds
   * the value in the remote tiers even if this instance's L1 is emptied meanwhile.
   */
  settled(): Promise<void> {
    return this.io.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.sweeping?.catch(() => undefined);
    await this.io.settled();
    this.recovery.close();
    await this.bus?.close();
    await Promise.all(this.remotes.map((slot) => slot.tier.close().catch(() => undefined)));
    await this.l1?.close();
  }

  /**
   * A reader's own copy of a value read from the tiers: deserialized from its bytes when the read
   * has them. From a copy of the bytes: V8 deserializes a Buffer or typed array as a view onto its
   * input, and the input is what L1 keeps for the next reader.
   */
  private copyOf<T>(read: { readonly value: unknown; readonly payload?: Buffer | undefined }): T {
    return (read.payload !== undefined ? this.serializer.deserialize(Buffer.from(read.payload)) : this.copy!(read.value)) as T;
  }

  /**
   * The value a `getOrSet` caller receives: with `clone`, a copy of its own, so that neither the
   * loader's caller nor the callers coalesced onto its flight share the object L1 holds.
   */
  private handOut<T>(result: Promise<T>): Promise<T> {
    const copy = this.copy;
    return copy ? result.then((value) => copy(value)) : result;
  }

  /** The hot path: a fresh L1 entry, found synchronously, or undefined. */
  private freshInL1(storageKey: string, tiers: readonly TierName[] | undefined): CacheEntry | undefined {
    const l1 = this.l1;
    if (l1 === undefined || !(tiers === undefined ? this.defaultCall.useL1 : tiers.includes('l1'))) return undefined;
    const now = this.now();
    const entry = l1.peek(storageKey, now);
    if (entry === undefined || now >= entry.staleAt) return undefined;
    this.counters.l1.hits++;
    this.counters.hits++;
    return entry;
  }

  private async readOrLoad<T>(
    key: string,
    storageKey: string,
    loader: () => T | Promise<T>,
    call: ResolvedCall<T>,
    flight: Flight<T>,
  ): Promise<T> {
    const running = this.runningFor(storageKey);
    if (running !== undefined) await running; // read-your-writes: this instance's sets and deletes first
    const outcome = await this.io.read(storageKey, call, flight.mark);
    if (outcome.hit) {
      flight.answer = outcome.tier;
      return outcome.value as T;
    }
    flight.answer = 'miss';
    const stale = outcome.stale !== undefined && this.now() < outcome.stale.expiresAt ? outcome.stale : undefined;
    const stamp = outcome.clock !== undefined ? this.clock.observed(outcome.clock) : await this.clock.read();
    const peer = call.lock ? await this.lockOrWait(storageKey, call, flight.mark) : undefined;
    if (peer?.hit) {
      flight.answer = peer.tier;
      return peer.value as T;
    }
    const loading = this.loadAndStore(key, storageKey, loader, call, flight, stamp);
    // Held until the value is in L2 too: released earlier, another instance would miss and load again.
    const release = peer?.release;
    if (release) void loading.then(() => this.io.settled(storageKey), () => undefined).finally(release);
    try {
      const timed = await awaitWithTimeouts(key, loading, { softMs: call.softMs, hardMs: call.hardMs }, stale !== undefined);
      if (timed.kind === 'value') return timed.value;
      flight.answer = 'stale';
      return this.serveStale(storageKey, stale!, call, flight.mark);
    } catch (error) {
      if (error instanceof SerializationError || stale === undefined) throw error;
      flight.answer = 'stale';
      return this.serveStale(storageKey, stale, call, flight.mark);
    }
  }

  private async loadAndStore<T>(
    key: string,
    storageKey: string,
    loader: () => T | Promise<T>,
    call: ResolvedCall<T>,
    flight: Flight<T>,
    stamp: Stamp,
    background = false,
  ): Promise<T> {
    this.counters.loaderCalls++;
    const value = this.hub.observed ? await this.hub.timedLoader(key, background, loader) : await loader();
    await this.io.store(storageKey, value, this.serialize(key, value), call, stamp, flight.mark, 'load', key);
    return value;
  }

  /**
   * Takes the distributed lock for a miss, or waits for the instance holding it to fill the key.
   * Redis unreachable: no lock, and the local single-flight is the only protection.
   */
  private async lockOrWait(
    storageKey: string,
    call: TierSelection & Pick<ResolvedCall<unknown>, 'lock'>,
    mark: number,
  ): Promise<{ hit: true; value: unknown; tier: TierName } | { hit: false; release?: () => Promise<void> }> {
    const lock = this.lock;
    if (lock === undefined || call.lock === undefined) return { hit: false };
    const { ttlMs, waitMs } = call.lock;
    try {
      const release = await lock.tryAcquire(storageKey, ttlMs);
      if (release) return { hit: false, release };
    } catch {
      return { hit: false };
    }
    this.counters.lockWaits++;
    const deadline = this.now() + waitMs;
    while (this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      const outcome = await this.io.read(storageKey, call, mark);
      if (outcome.hit) return outcome;
    }
    return { hit: false };
  }

  /** Starts one background refresh of a hot key past its refresh-ahead point. */
  private refreshAhead<T>(key: string, storageKey: string, entry: CacheEntry, loader: () => T | Promise<T>, options: CacheCallOptions<T> | undefined): void {
    const resolved = options === undefined ? (this.defaultCall as ResolvedCall<T>) : this.resolveCall(options);
    const call = this.board.atWrite(this.board.set.match(key, options) !== undefined, resolved, this.resolveOver);
    if (call.refreshAhead === undefined) return;
    const now = this.now();
    if (now < entry.staleAt - (1 - call.refreshAhead) * call.ttlMs || this.flights.get(storageKey) !== undefined) return;
    if ((this.refreshBackoff.get(storageKey) ?? 0) > now) return;
    this.counters.refreshes++;
    this.flights.start<T>(storageKey, this.changes.mark(), staticTags(call), async (flight) => {
      try {
        return await this.loadAndStore(key, storageKey, loader, call, flight, await this.clock.read(), true);
      } catch (error) {
        this.refreshBackoff.set(storageKey, this.now() + this.failSafeThrottleMs);
        throw error;
      }
    }).promise.then(
      () => this.refreshBackoff.delete(storageKey),
      () => undefined,
    );
  }

  /**
   * Fail-safe: serve a stale entry within grace, and hold off the loader here for a while. The
   * callers began before any change since `mark`, so they may get the stale value; L1 keeps it only
   * if the key did not change meanwhile (a deleted entry must not come back as fresh).
   */
  private serveStale<T>(storageKey: string, stale: CacheEntry, call: TierSelection, mark: number): T {
    this.counters.staleServed++;
    if (call.useL1 && this.changes.unchangedSince(storageKey, mark)) {
      const now = this.now();
      this.l1!.setEntry(storageKey, { ...stale, staleAt: Math.min(now + this.failSafeThrottleMs, stale.expiresAt) });
    }
    return stale.value as T;
  }

  private serialize(key: string, value: unknown): Buffer {
    let payload: Buffer;
    try {
      payload = this.serializer.serialize(value);
    } catch (error) {
      throw new SerializationError(key, error);
    }
    if (payload.length > this.maxPayloadBytes) throw new PayloadTooLargeError(key, payload.length, this.maxPayloadBytes);
    return payload;
  }

  /** Applies another instance's message to this instance's L1. */
  private apply(message: BusMessage): void {
    const l1 = this.l1;
    if (message.kind === 'tags') {
      l1?.learnStamps(new Map(message.tags.map((tag) => [tag, message.stamp])));
      this.flights.detachTagged(message.tags);
      this.hub.emit('invalidation', { source: 'bus', origin: 'bus', tags: message.tags.length });
      return;
    }
    if (message.namespace !== this.namespace) return;
    if (message.kind === 'policies') return this.board.announced();
    if (message.kind === 'clear') {
      this.changes.changeAll();
      this.flights.detach();
      l1?.reset();
      return;
    }
    // Another instance wrote or deleted these keys: what this one holds or is copying is outdated.
    for (const key of message.keys) this.changes.change(key);
    this.flights.detach(message.keys);
    l1?.deleteKeys(message.keys);
  }

  /** Messages were lost while the bus was down: L1 may hold what others invalidated. */
  private onBusRecovered(): void {
    this.invalidationSourceRestored('bus');
    void this.recovery.recover();
    void this.syncPendingTags().catch(() => undefined);
  }

  /** L3 keeps the deletes and clears Redis missed, so that a restart of this instance loses none. */
  private durableBacklog(): DurableBacklog | undefined {
    const l3 = this.postgres;
    if (l3 === undefined || this.redis === undefined) return undefined;
    const record = (keys: readonly string[]) => void l3.breaker.run(() => l3.tier.queueRedisDeletes(keys)).catch(() => undefined);
    return { slot: l3, keys: record, clear: () => record([CLEAR_ALL]) };
  }

  private async sweepPendingTags(): Promise<readonly string[]> {
    const l3 = this.postgres;
    if (l3 === undefined || this.closed) return [];
    const clockSlot = this.clock.source;
    if (clockSlot !== undefined && clockSlot !== l3) await this.sweepPendingDeletes(l3, clockSlot);
    const swept: string[] = [];
    for (;;) {
      const pending = await l3.breaker.run(() => l3.tier.pendingTags(PENDING_SWEEP_BATCH));
      if (pending.size === 0) return swept;
      const tags = [...pending.keys()];
      if (clockSlot !== undefined && clockSlot !== l3) {
        // Stamped on Redis directly: L3 already holds its own (pending) stamp for these tags.
        const stamp = await clockSlot.breaker.run(() => clockSlot.tier.invalidateTags(tags));
        this.l1?.learnStamps(new Map(tags.map((tag) => [tag, stamp])));
        this.flights.detachTagged(tags);
        await this.recovery.publish({ kind: 'tags', tags, stamp });
      }
      await l3.breaker.run(() => l3.tier.markTagsSynced(pending));
      swept.push(...tags);
      if (pending.size < PENDING_SWEEP_BATCH) return swept;
    }
  }

  /**
   * Records a change of `storageKey` made here: voids writes of reads and loads that began before,
   * detaches its flight and drops it from L1. Synchronous. Returns the mark for the change's own write.
   */
  private changed(storageKey: string): number {
    this.changes.change(storageKey);
    this.flights.detach([storageKey]);
    this.l1?.deleteKeys([storageKey]);
    return this.changes.mark();
  }

  /** Runs a set or delete of `storageKey` after the ones already running for it, and tracks it. */
  private mutate(storageKey: string, work: () => Promise<void>): Promise<void> {
    const previous = this.runningFor(storageKey);
    const running = previous === undefined ? work() : previous.then(work);
    this.mutations.set(storageKey, running);
    const forget = () => {
      if (this.mutations.get(storageKey) === running) this.mutations.delete(storageKey);
    };
    running.then(forget, forget);
    return running;
  }

  /** {@link mutate} for a batch: one run of `work` after the sets and deletes running for any of the keys. */
  private mutateMany(storageKeys: readonly string[], work: () => Promise<void>): Promise<void> {
    const previous = storageKeys.map((storageKey) => this.runningFor(storageKey)).filter((running) => running !== undefined);
    const running = previous.length === 0 ? work() : Promise.all(previous).then(work);
    for (const storageKey of storageKeys) this.mutations.set(storageKey, running);
    const forget = () => {
      for (const storageKey of storageKeys) if (this.mutations.get(storageKey) === running) this.mutations.delete(storageKey);
    };
    running.then(forget, forget);
    return running;
  }

  /** The engine's pieces the batch calls (batch-reads.ts) use, bound once. */
  private get batchEngine(): BatchEngine {
    this.batch ??= {
      io: this.io,
      clock: this.clock,
      flights: this.flights,
      changes: this.changes,
      counters: this.counters,
      storageKey: (key) => this.keys.build(key),
      resolve: <T>(options: CacheCallOptions<T> | undefined) => (options === undefined ? (this.defaultCall as ResolvedCall<T>) : this.resolveCall(options)),
      freshInL1: (storageKey, tiers) => this.freshInL1(storageKey, tiers),
      runningFor: (storageKey) => this.runningFor(storageKey),
      serialize: (key, value) => this.serialize(key, value),
      serveStale: <T>(storageKey: string, stale: CacheEntry, call: TierSelection, mark: number) => this.serveStale<T>(storageKey, stale, call, mark),
      handOut: <T>(value: T) => (this.copy ? this.copy(value) : value),
      staticTags: (call) => staticTags(call),
    };
    return this.batch;
  }

  /** Settles when the set or delete of `storageKey` and the clear running now have (never rejects). */
  private runningFor(storageKey: string): Promise<unknown> | undefined {
    const mutation = this.mutations.get(storageKey);
    const clearing = this.clearing;
    if (mutation === undefined && clearing === undefined) return undefined;
    return Promise.all([mutation?.catch(() => undefined), clearing?.catch(() => undefined)]);
  }

  /**
   * The stamp a delete or clear leaves in the tiers below the clock tier (a tombstone), so that a
   * write of an older entry still on its way cannot land after it. Read only when such a tier exists.
   */
  private async deleteStamp(): Promise<number | undefined> {
    return this.remotes.some((slot) => slot !== this.clock.source) ? (await this.clock.read()).value : undefined;
  }

  /** Applies in Redis the deletes and clears of this namespace that Redis missed, then forgets them. */
  private async sweepPendingDeletes(l3: RemoteSlot & { readonly tier: PostgresTier }, redis: RemoteSlot): Promise<void> {
    for (;;) {
      const pending = await l3.breaker.run(() => l3.tier.pendingDeletes(PENDING_SWEEP_BATCH));
      if (pending.size === 0) return;
      const keys = [...pending.keys()].filter((key) => key !== CLEAR_ALL);
      const applied: BusMessage[] = [];
      if (pending.has(CLEAR_ALL)) {
        await redis.breaker.run(() => redis.tier.clear());
        applied.push({ kind: 'clear', namespace: this.namespace });
      }
      if (keys.length > 0) {
        await redis.breaker.run(() => redis.tier.delete(keys));
        applied.push({ kind: 'delete', namespace: this.namespace, keys });
      }
      // Here as on every other instance: this L1 may hold what the missed deletes removed.
      for (const message of applied) {
        this.apply(message);
        await this.recovery.publish(message);
      }
      await l3.breaker.run(() => l3.tier.markDeletesDone(pending));
      if (pending.size < PENDING_SWEEP_BATCH) return;
    }
  }

  /** A policy's fields over an already resolved call (a runtime policy matched at write time). */
  private readonly resolveOver = <T>(overrides: CacheCallOptions<T>, base: ResolvedCall<T>): ResolvedCall<T> =>
    resolveCall(overrides, base as ResolvedCall<unknown>, { hasL1: this.l1 !== undefined, remotes: this.remotes, capsMs: this.tierCapsMs });

  /** Resolved once per options object: callers that reuse one (as `@Cached` does) parse nothing per call. */
  private resolveCall<T>(options: CacheCallOptions<T>): ResolvedCall<T> {
    const known = this.resolvedCalls.get(options);
    if (known !== undefined) return known as ResolvedCall<T>;
    const resolved = resolveCall(options, this.defaultCall, { hasL1: this.l1 !== undefined, remotes: this.remotes, capsMs: this.tierCapsMs });
    this.resolvedCalls.set(options, resolved as ResolvedCall<unknown>);
    return resolved;
  }
}

/** The tags a call's result will carry, when known before the value is (`undefined` otherwise). */
function staticTags<T>(call: ResolvedCall<T>): readonly string[] | undefined {
  return typeof call.tags === 'function' ? undefined : call.tags;
}
