import { awaitWithTimeouts } from '../resilience/loader-timeouts.js';
import type { ChangeLog } from './change-log.js';
import type { CacheEntry } from './entry.js';
import { BatchLoaderError, InvalidKeyError, SerializationError } from './errors.js';
import type { CacheCallOptions } from './options.js';
import type { ResolvedCall, TierSelection } from './resolved-call.js';
import type { SharedClock } from './shared-clock.js';
import type { Flight, SingleFlight } from './single-flight.js';
import type { EngineCounters } from './stats.js';
import type { TierIO } from './tier-io.js';

/**
 * Loads the values of the keys that missed. Returns one value per key: an array in the order of
 * `keys`, or a map holding every key.
 */
export type BatchLoader<T> = (keys: string[]) => Promise<readonly T[] | ReadonlyMap<string, T>> | readonly T[] | ReadonlyMap<string, T>;

/** What of the engine a batch needs: the same pieces its single-key calls use. */
export interface BatchEngine {
  readonly io: TierIO;
  readonly clock: SharedClock;
  readonly flights: SingleFlight;
  readonly changes: ChangeLog;
  readonly counters: EngineCounters;
  storageKey(key: string): string;
  resolve<T>(options: CacheCallOptions<T> | undefined): ResolvedCall<T>;
  freshInL1(storageKey: string, tiers: CacheCallOptions<unknown>['tiers']): CacheEntry | undefined;
  runningFor(storageKey: string): Promise<unknown> | undefined;
  serialize(key: string, value: unknown): Buffer;
  serveStale<T>(storageKey: string, stale: CacheEntry, call: TierSelection, mark: number): T;
  /** The caller's own copy of a value (with `clone`), else the value. */
  handOut<T>(value: T): T;
  staticTags(call: ResolvedCall<unknown>): readonly string[] | undefined;
}

/** The distinct storage keys of a batch, each with the first user key that maps to it. */
function distinct(engine: BatchEngine, keys: readonly string[]): { storageKeys: string[]; unique: Map<string, string> } {
  if (!Array.isArray(keys)) throw new InvalidKeyError(keys, 'a batch takes an array of keys');
  const storageKeys = keys.map((key) => engine.storageKey(key));
  const unique = new Map<string, string>();
  storageKeys.forEach((storageKey, index) => {
    if (!unique.has(storageKey)) unique.set(storageKey, keys[index]!);
  });
  return { storageKeys, unique };
}

/** Waits for this instance's sets, deletes and clears of any of `storageKeys` (read-your-writes). */
async function writesFirst(engine: BatchEngine, storageKeys: Iterable<string>): Promise<void> {
  const running: Array<Promise<unknown>> = [];
  for (const storageKey of storageKeys) {
    const mutation = engine.runningFor(storageKey);
    if (mutation !== undefined) running.push(mutation);
  }
  if (running.length > 0) await Promise.all(running);
}

/**
 * `get` for many keys: one value (or `undefined`) per key, in order; duplicates read once. The
 * keys L1 does not answer are read from each remote tier in one round trip.
 */
export async function getMany<T>(engine: BatchEngine, keys: readonly string[], options: Pick<CacheCallOptions<T>, 'tiers'> | undefined): Promise<Array<T | undefined>> {
  const { storageKeys, unique } = distinct(engine, keys);
  const found = new Map<string, T | undefined>();
  const toRead: string[] = [];
  for (const storageKey of unique.keys()) {
    engine.counters.reads++;
    const fresh = engine.freshInL1(storageKey, options?.tiers);
    if (fresh !== undefined) found.set(storageKey, fresh.value as T);
    else toRead.push(storageKey);
  }
  if (toRead.length > 0) {
    await writesFirst(engine, toRead);
    const outcomes = await engine.io.readMany(toRead, engine.resolve(options), engine.changes.mark());
    toRead.forEach((storageKey, index) => {
      const outcome = outcomes[index]!;
      found.set(storageKey, outcome.hit ? (outcome.value as T) : undefined);
    });
  }
  return storageKeys.map((storageKey) => {
    const value = found.get(storageKey);
    return value === undefined ? undefined : engine.handOut(value);
  });
}

interface Pending<T> {
  readonly key: string;
  readonly storageKey: string;
  readonly flight: Flight<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * `getOrSet` for many keys: one value per key, in order. Keys fresh in L1 or already loading (a
 * single call or another batch) are served by that; the others get a flight each, so that a
 * single call on one of them joins this batch's load, and are read from each remote tier in one
 * round trip. The keys still missing go to `loader` in one call.
 * @throws BatchLoaderError when the loader does not return one value per key it was given.
 */
export async function getOrSetMany<T>(engine: BatchEngine, keys: readonly string[], loader: BatchLoader<T>, options: CacheCallOptions<T> | undefined): Promise<T[]> {
  const { storageKeys, unique } = distinct(engine, keys);
  const call = engine.resolve(options);
  const results = new Map<string, Promise<T>>();
  const own: Array<Pending<T>> = [];
  const mark = engine.changes.mark();
  for (const [storageKey, key] of unique) {
    engine.counters.reads++;
    const fresh = engine.freshInL1(storageKey, options?.tiers);
    if (fresh !== undefined) {
      results.set(storageKey, Promise.resolve(fresh.value as T));
      continue;
    }
    const running = engine.flights.get(storageKey);
    if (running !== undefined) {
      engine.counters.coalesced++;
      results.set(storageKey, running.promise as Promise<T>);
      continue;
    }
    let settle: Pick<Pending<T>, 'resolve' | 'reject'> | undefined;
    const flight = engine.flights.start<T>(storageKey, mark, engine.staticTags(call as ResolvedCall<unknown>), () =>
      new Promise<T>((resolve, reject) => {
        settle = { resolve, reject };
      }),
    );
    own.push({ key, storageKey, flight, ...settle! });
    results.set(storageKey, flight.promise);
  }
  if (own.length > 0) {
    void readOrLoadMany(engine, own, loader, call).catch((error: unknown) => {
      for (const pending of own) pending.reject(error);
    });
  }
  const values = await Promise.all(storageKeys.map((storageKey) => results.get(storageKey)!));
  return values.map((value) => engine.handOut(value));
}

async function readOrLoadMany<T>(engine: BatchEngine, own: ReadonlyArray<Pending<T>>, loader: BatchLoader<T>, call: ResolvedCall<T>): Promise<void> {
  await writesFirst(engine, own.map((pending) => pending.storageKey));
  // One mark for the batch: every flight of it was started at once, before any await.
  const mark = own[0]!.flight.mark;
  const outcomes = await engine.io.readMany(
    own.map((pending) => pending.storageKey),
    call,
    mark,
  );
  const missing: Array<{ pending: Pending<T>; stale: CacheEntry | undefined }> = [];
  let clock: number | undefined;
  own.forEach((pending, index) => {
    const outcome = outcomes[index]!;
    if (outcome.hit) {
      pending.flight.answer = outcome.tier;
      pending.resolve(outcome.value as T);
      return;
    }
    pending.flight.answer = 'miss';
    clock ??= outcome.clock;
    const stale = outcome.stale !== undefined && Date.now() < outcome.stale.expiresAt ? outcome.stale : undefined;
    missing.push({ pending, stale });
  });
  if (missing.length === 0) return;
  // Read before the loader starts, so that an invalidation while it runs covers its results.
  const stamp = clock !== undefined ? engine.clock.observed(clock) : await engine.clock.read();
  const keys = missing.map(({ pending }) => pending.key);
  engine.counters.loaderCalls++;
  const loading = (async () => {
    const values = aligned(keys, await loader([...keys]));
    const items = missing.map(({ pending }, index) => ({
      storageKey: pending.storageKey,
      value: values[index] as unknown,
      payload: engine.serialize(pending.key, values[index]),
      mark: pending.flight.mark,
    }));
    await engine.io.storeLoaded(items, call as ResolvedCall<unknown>, stamp);
    return values;
  })();
  try {
    const timed = await awaitWithTimeouts(keys.join(','), loading, { hardMs: call.hardMs }, false);
    if (timed.kind !== 'value') throw new Error('unreachable: a batch load has no soft timeout');
    timed.value.forEach((value, index) => missing[index]!.pending.resolve(value));
  } catch (error) {
    // Fail-safe per key, as for single keys: a stale entry within grace is served, the others fail.
    for (const { pending, stale } of missing) {
      if (stale === undefined || error instanceof SerializationError || error instanceof BatchLoaderError) pending.reject(error);
      else {
        pending.flight.answer = 'stale';
        pending.resolve(engine.serveStale<T>(pending.storageKey, stale, call, pending.flight.mark));
      }
    }
  }
}

/** The loader's answer as one value per key, in order, or a typed error naming what is missing. */
export function aligned<T>(keys: readonly string[], answer: readonly T[] | ReadonlyMap<string, T>): T[] {
  if (answer instanceof Map) {
    const byKey = answer as ReadonlyMap<string, T>;
    const missingKey = keys.find((key) => !byKey.has(key));
    if (missingKey !== undefined) throw new BatchLoaderError(keys.length, keys.filter((key) => byKey.has(key)).length, missingKey);
    return keys.map((key) => byKey.get(key)!);
  }
  if (!Array.isArray(answer)) throw new BatchLoaderError(keys.length, 0);
  const values = answer as readonly T[];
  if (values.length !== keys.length) throw new BatchLoaderError(keys.length, values.length);
  return [...values];
}
