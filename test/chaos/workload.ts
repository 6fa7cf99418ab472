import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import type { CacheCallOptions } from '../../libs/tiered-cache/src/core/options.js';
import { sleep } from '../support/cache-fixture.js';
import { STUCK_OP_MS } from './contract.js';
import { clockMs, type CachedValue, type History, type Op, type OpKind } from './history.js';
import { cacheKey, KEY_TAGS, keyFor, SHORT_TTL_KEY, tagsFor } from './keyspace.js';
import type { Prng } from './prng.js';

/** What loaders, SQL updates and app writes need from the source table. */
export interface Source {
  read(key: number): Promise<number>;
  /** An update made outside the app: the trigger invalidates. */
  bump(key: number): Promise<number>;
  /** The app's own update: the trigger skips it, the app invalidates. */
  write(key: number): Promise<number>;
}

/** A loader's own failure: expected, and passed through to the callers of its flight. */
export class LoaderError extends Error {}

/**
 * How often each operation is drawn. `clear` empties every instance's L1 (through the bus), so it
 * is rare: drawn often, it would keep every L1 so short-lived that no stale copy outlives the bus
 * window, and cross-instance staleness could never show. An `appWrite` is an UPDATE the trigger
 * skips, then `invalidateTags()` of the key's tags on the drawing instance, then a `getOrSet` of
 * the key there (the app reads back what it wrote): on a busy key a load is often running then,
 * and the read-back must not join it.
 */
export const OP_WEIGHTS: Readonly<Record<DrawKind, number>> = {
  get: 30,
  getOrSet: 30,
  set: 10,
  delete: 6,
  invalidateTags: 6,
  clear: 0.03,
  sql: 8,
  appWrite: 4,
  getMany: 6,
  getOrSetMany: 6,
  setMany: 2,
  deleteMany: 1.5,
};

/**
 * The batch calls. Each is recorded as one operation per key it names (a `getMany` as `get`s, a
 * `getOrSetMany` as `getOrSet`s with a loader run per key it loaded, ...), all with the batch's
 * invocation and completion: a batch owes each key what a single call owes it, so the judge needs
 * no rule of its own for them.
 */
export type BatchKind = 'getMany' | 'getOrSetMany' | 'setMany' | 'deleteMany';
export type DrawKind = OpKind | BatchKind;

/**
 * The mix of the reader instance (the last one, with three or more): it mostly reads, so what its
 * L1 holds is replaced only by what reaches it from the others (bus, L1 lifetime), and a copy that
 * should have been dropped lives long enough to be seen past the window.
 */
export const READER_WEIGHTS: Readonly<Record<DrawKind, number>> = {
  get: 40,
  getOrSet: 40,
  set: 1,
  delete: 1,
  invalidateTags: 1,
  clear: 0,
  sql: 0,
  appWrite: 1,
  getMany: 5,
  getOrSetMany: 5,
  setMany: 0,
  deleteMany: 0,
};

/** Keys per batch call (a key may be drawn twice: the engine reads it once). */
const BATCH_KEYS = { min: 2, max: 4 };

/** Loader speed and failure rate. */
const LOADER_MAX_MS = 50;
const LOADER_FAILS = 0.1;

/**
 * The short-ttl key's loaders: slow, so an erase lands while they run, and failing often, so
 * fail-safe serves the stale entry. Its entries go stale after 200 ms and stay servable for 1 min.
 */
const SHORT_TTL_LOADER_MS = { min: 100, max: 200 };
const SHORT_TTL_LOADER_FAILS = 0.5;
const SHORT_TTL_OPTIONS = { ttl: '200ms', grace: '1m' } as const;
/**
 * How often a loader of the short-ttl key erases its key on its own instance while it runs, and
 * how: mostly a delete; an invalidation of its tag (fail-safe must not serve what it hid either);
 * rarely a clear, which empties every L1 and would otherwise disturb the other keys.
 */
const ERASE_DURING_LOAD = 0.4;
const ERASE_WEIGHTS = { delete: 75, invalidateTags: 23, clear: 2 } as const;

/**
 * The options of every batch call: one object for keys with different tags, so the tags come from
 * the value. The short-ttl key is left out of batches (its TTL and grace are its own).
 */
const BATCH_OPTIONS: CacheCallOptions<CachedValue> = { tags: (value) => KEY_TAGS[value.key]! };

/** One options object per key, reused: the engine resolves an options object once. */
const CALL_OPTIONS: ReadonlyArray<CacheCallOptions<CachedValue>> = KEY_TAGS.map((tags, key) =>
  key === SHORT_TTL_KEY ? { tags, ...SHORT_TTL_OPTIONS } : { tags },
);

export interface WorkloadOptions {
  readonly history: History;
  /** The engine instances this process drives, by their global index. */
  readonly instances: ReadonlyArray<{ readonly index: number; readonly cache: TieredCache }>;
  readonly source: Source;
  /** Operations in flight at once. */
  readonly concurrency: number;
  readonly prng: Prng;
  /** Which operations to draw on instance `index` of `count`; default {@link mixFor}. */
  readonly weights?: (index: number, count: number) => Readonly<Record<DrawKind, number>>;
  /** How many instances the whole run has (across processes); default `instances.length`. */
  readonly instanceCount?: number;
}

/**
 * Runs random operations on random instances and keys, `concurrency` at a time, until `until`
 * (a {@link clockMs} time). Each worker draws from its own fork of the PRNG, so a seed replays the
 * same sequence per worker whatever the interleaving. Waits for the operations in flight, at most
 * {@link STUCK_OP_MS}; those still running stay `pending` in the history (the judge reports them).
 */
export async function runWorkload(options: WorkloadOptions, until: number): Promise<void> {
  const workers = Array.from({ length: options.concurrency }, (_, w) => worker(options, options.prng.fork(100 + w), until));
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, until - clockMs()) + STUCK_OP_MS)));
  await Promise.race([Promise.all(workers), givenUp]);
  clearTimeout(timer);
}

async function worker(options: WorkloadOptions, prng: Prng, until: number): Promise<void> {
  while (clockMs() < until) {
    await step(options, prng);
    await sleep(prng.int(0, 3));
  }
}

/** Remote tiers whose breaker is not closed, e.g. `l2:open`; empty when all are. */
function unwell(cache: TieredCache): string {
  return cache
    .tiers()
    .filter((tier) => tier.circuit !== 'closed' && tier.circuit !== 'n/a')
    .map((tier) => `${tier.name}:${tier.circuit}`)
    .join(',');
}

async function step(options: WorkloadOptions, prng: Prng): Promise<void> {
  const { cache } = prng.pick(options.instances);
  const before = unwell(cache);
  const op = await call(options, prng, options.instances.find((instance) => instance.cache === cache)!.index, cache);
  const after = unwell(cache);
  if (op !== undefined && op.kind !== 'sql' && (before !== '' || after !== '')) op.note = `breakers before [${before}] after [${after}]`;
}

/** {@link READER_WEIGHTS} on the last of three or more instances, {@link OP_WEIGHTS} elsewhere. */
export const mixFor = (index: number, count: number) => (count >= 3 && index === count - 1 ? READER_WEIGHTS : OP_WEIGHTS);

async function call(options: WorkloadOptions, prng: Prng, index: number, cache: TieredCache): Promise<Op | undefined> {
  const { history, source } = options;
  const count = options.instanceCount ?? options.instances.length;
  const weights = (options.weights ?? mixFor)(index, count);
  const drawn = prng.weighted(weights);
  if (isBatch(drawn)) return batch(options, prng, index, cache, drawn, weights === READER_WEIGHTS);
  const kind: OpKind = drawn;
  const key = keyFor(kind, prng, weights === READER_WEIGHTS);
  switch (kind) {
    case 'get': {
      const op = history.begin({ kind, instance: index, key });
      return settle(history, op, async () => (await cache.get<CachedValue>(cacheKey(key))) ?? null);
    }
    case 'getOrSet':
      return getOrSet(options, prng, index, cache, key);
    case 'set': {
      const op = history.begin({ kind, instance: index, key, value: (id) => ({ key, writer: 'set', id: `s${id}` }) });
      return settle(history, op, () => cache.set(cacheKey(key), op.value!, CALL_OPTIONS[key]));
    }
    case 'delete':
    case 'clear':
      return erase(history, index, cache, kind, key);
    case 'invalidateTags':
      return erase(history, index, cache, kind, key, tagsFor(prng));
    case 'sql': {
      const op = history.begin({ kind, instance: -1, key });
      return settle(history, op, async () => {
        op.version = await source.bump(key);
      });
    }
    case 'appWrite': {
      const op = history.begin({ kind, instance: index, key, tags: KEY_TAGS[key] });
      await settle(history, op, async () => {
        op.version = await source.write(key);
        await cache.invalidateTags(KEY_TAGS[key]!);
      });
      // What the app does next: read back. It began after the invalidation resolved, so it may not
      // join a load of the old version (docs/consistency.md promise 5).
      await getOrSet(options, prng, index, cache, key);
      return op;
    }
  }
}

/**
 * A `getOrSet` with a loader that reads the key's source version, then takes time (the value ages
 * while the loader "works", as a real one does), and may fail. On the short-ttl key the loader is
 * slow, fails often, and may erase its key on its own instance while it runs: the fail-safe entry
 * it leaves behind must not come back as fresh (docs/consistency.md, "Invalidated is not stale").
 * The erase is recorded as an operation of its own, and awaited before the worker goes on.
 */
async function getOrSet(options: WorkloadOptions, prng: Prng, index: number, cache: TieredCache, key: number): Promise<Op> {
  const { history, source } = options;
  const short = key === SHORT_TTL_KEY;
  const delayMs = short ? prng.int(SHORT_TTL_LOADER_MS.min, SHORT_TTL_LOADER_MS.max) : prng.int(0, LOADER_MAX_MS);
  const fails = prng.chance(short ? SHORT_TTL_LOADER_FAILS : LOADER_FAILS);
  const eraseKind = short && prng.chance(ERASE_DURING_LOAD) ? prng.weighted(ERASE_WEIGHTS) : undefined;
  const eraseAfterMs = eraseKind === undefined ? 0 : prng.int(0, SHORT_TTL_LOADER_MS.min / 2);
  let erasing: Promise<Op> | undefined;
  const op = history.begin({ kind: 'getOrSet', instance: index, key });
  const loader = async (): Promise<CachedValue> => {
    const run = history.startLoad(op, key);
    try {
      const version = await source.read(key);
      run.version = version;
      if (eraseKind !== undefined) erasing = sleep(eraseAfterMs).then(() => erase(history, index, cache, eraseKind, key, KEY_TAGS[key]));
      await sleep(delayMs);
      if (fails) throw new LoaderError(`loader ${run.id} failed on purpose`);
      return { key, writer: 'load', id: run.id, version };
    } catch (error) {
      run.failed = true;
      throw error instanceof LoaderError ? error : new LoaderError(`loader ${run.id}: ${(error as Error).message}`);
    } finally {
      run.complete = clockMs();
    }
  };
  await settle(history, op, () => cache.getOrSet(cacheKey(key), loader, CALL_OPTIONS[key]));
  await erasing;
  return op;
}

function isBatch(kind: DrawKind): kind is BatchKind {
  return kind === 'getMany' || kind === 'getOrSetMany' || kind === 'setMany' || kind === 'deleteMany';
}

/** The keys of one batch call, drawn as the single call's keys are (the short-ttl key aside). */
function batchKeys(prng: Prng, kind: OpKind, reader: boolean): number[] {
  const keys: number[] = [];
  const count = prng.int(BATCH_KEYS.min, BATCH_KEYS.max);
  while (keys.length < count) {
    const key = keyFor(kind, prng, reader);
    if (key !== SHORT_TTL_KEY) keys.push(key);
  }
  return keys;
}

/**
 * A batch call, recorded as one operation per key (see {@link BatchKind}). A `getOrSetMany`'s
 * loader reads each key's source version, takes time, and may fail for the whole batch.
 */
async function batch(options: WorkloadOptions, prng: Prng, index: number, cache: TieredCache, kind: BatchKind, reader: boolean): Promise<Op | undefined> {
  const { history, source } = options;
  const single = ({ getMany: 'get', getOrSetMany: 'getOrSet', setMany: 'set', deleteMany: 'delete' } as const)[kind];
  const keys = batchKeys(prng, single, reader);
  const ops = keys.map((key) =>
    single === 'set'
      ? history.begin({ kind: single, instance: index, key, batch: kind, value: (id) => ({ key, writer: 'set', id: `s${id}` }) })
      : history.begin({ kind: single, instance: index, key, batch: kind }),
  );
  const names = keys.map((key) => cacheKey(key));
  const delayMs = prng.int(0, LOADER_MAX_MS);
  const fails = prng.chance(LOADER_FAILS);
  const loader = async (missing: string[]): Promise<CachedValue[]> => {
    // One run per key the engine asks for, owned by that key's operation (the first, for a key drawn twice).
    const runs = missing.map((name) => {
      const at = names.indexOf(name);
      return history.startLoad(ops[at]!, keys[at]!);
    });
    try {
      const versions = await Promise.all(runs.map((run) => source.read(run.key)));
      versions.forEach((version, at) => (runs[at]!.version = version));
      await sleep(delayMs);
      if (fails) throw new LoaderError(`batch loader ${runs.map((run) => run.id).join(',')} failed on purpose`);
      return runs.map((run, at) => ({ key: run.key, writer: 'load', id: run.id, version: versions[at]! }));
    } catch (error) {
      for (const run of runs) run.failed = true;
      throw error instanceof LoaderError ? error : new LoaderError(`batch loader: ${(error as Error).message}`);
    } finally {
      const complete = clockMs();
      for (const run of runs) run.complete = complete;
    }
  };
  let results: ReadonlyArray<CachedValue | undefined> | undefined;
  try {
    switch (kind) {
      case 'getMany':
        results = await cache.getMany<CachedValue>(names);
        break;
      case 'getOrSetMany':
        results = await cache.getOrSetMany<CachedValue>(names, loader, BATCH_OPTIONS);
        break;
      case 'setMany':
        await cache.setMany(ops.map((op, at) => [names[at]!, op.value!] as const), BATCH_OPTIONS);
        break;
      case 'deleteMany':
        await cache.deleteMany(names);
        break;
    }
  } catch (error) {
    for (const op of ops) history.fail(op, error);
    return ops[0];
  }
  ops.forEach((op, at) => history.succeed(op, results === undefined ? undefined : (results[at] ?? null)));
  return ops[0];
}

/** A delete of `key`, an invalidation of `tags`, or a clear, on one instance. */
function erase(history: History, index: number, cache: TieredCache, kind: 'delete' | 'invalidateTags' | 'clear', key: number, tags?: readonly string[]): Promise<Op> {
  switch (kind) {
    case 'delete': {
      const op = history.begin({ kind, instance: index, key });
      return settle(history, op, () => cache.delete(cacheKey(key)));
    }
    case 'invalidateTags': {
      const op = history.begin({ kind, instance: index, tags });
      return settle(history, op, () => cache.invalidateTags(tags!));
    }
    case 'clear': {
      const op = history.begin({ kind, instance: index });
      return settle(history, op, () => cache.clear());
    }
  }
}

/** Records the outcome; a read's result is the value (or null), other operations have none. */
async function settle(history: History, op: Op, run: () => Promise<CachedValue | null | void>): Promise<Op> {
  try {
    const result = await run();
    history.succeed(op, op.kind === 'get' || op.kind === 'getOrSet' ? (result as CachedValue | null) : undefined);
  } catch (error) {
    history.fail(op, error);
  }
  return op;
}
