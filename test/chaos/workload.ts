import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import type { CacheCallOptions } from '../../libs/tiered-cache/src/core/options.js';
import { sleep } from '../support/cache-fixture.js';
import { STUCK_OP_MS } from './contract.js';
import { clockMs, type CachedValue, type History, type Op, type OpKind } from './history.js';
import { cacheKey, KEY_TAGS, keyFor, tagsFor } from './keyspace.js';
import type { Prng } from './prng.js';

/** What loaders and SQL updates need from the source table. */
export interface Source {
  read(key: number): Promise<number>;
  bump(key: number): Promise<number>;
}

/** A loader's own failure: expected, and passed through to the callers of its flight. */
export class LoaderError extends Error {}

/**
 * How often each operation is drawn. `clear` empties every instance's L1 (through the bus), so it
 * is rare: drawn often, it would keep every L1 so short-lived that no stale copy outlives the bus
 * window, and cross-instance staleness could never show.
 */
export const OP_WEIGHTS: Readonly<Record<OpKind, number>> = {
  get: 30,
  getOrSet: 30,
  set: 10,
  delete: 6,
  invalidateTags: 6,
  clear: 0.03,
  sql: 8,
};

/**
 * The mix of the reader instance (the last one, with three or more): it mostly reads, so what its
 * L1 holds is replaced only by what reaches it from the others (bus, L1 lifetime), and a copy that
 * should have been dropped lives long enough to be seen past the window.
 */
export const READER_WEIGHTS: Readonly<Record<OpKind, number>> = { get: 45, getOrSet: 45, set: 1, delete: 1, invalidateTags: 1, clear: 0, sql: 0 };

/** Loader speed and failure rate. */
const LOADER_MAX_MS = 50;
const LOADER_FAILS = 0.1;

/** One options object per key, reused: the engine resolves an options object once. */
const CALL_OPTIONS: ReadonlyArray<CacheCallOptions<CachedValue>> = KEY_TAGS.map((tags) => ({ tags }));

export interface WorkloadOptions {
  readonly history: History;
  /** The engine instances this process drives, by their global index. */
  readonly instances: ReadonlyArray<{ readonly index: number; readonly cache: TieredCache }>;
  readonly source: Source;
  /** Operations in flight at once. */
  readonly concurrency: number;
  readonly prng: Prng;
  /** Which operations to draw on instance `index` of `count`; default {@link mixFor}. */
  readonly weights?: (index: number, count: number) => Readonly<Record<OpKind, number>>;
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
  const kind = prng.weighted((options.weights ?? mixFor)(index, options.instanceCount ?? options.instances.length));
  const key = keyFor(kind, prng);
  switch (kind) {
    case 'get': {
      const op = history.begin({ kind, instance: index, key });
      return settle(history, op, async () => (await cache.get<CachedValue>(cacheKey(key))) ?? null);
    }
    case 'getOrSet': {
      const delayMs = prng.int(0, LOADER_MAX_MS);
      const fails = prng.chance(LOADER_FAILS);
      const op = history.begin({ kind, instance: index, key });
      const loader = async (): Promise<CachedValue> => {
        const run = history.startLoad(op, key);
        try {
          // Read first, then take time: the value ages while the loader "works", as a real one does.
          const version = await source.read(key);
          run.version = version;
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
      return settle(history, op, () => cache.getOrSet(cacheKey(key), loader, CALL_OPTIONS[key]));
    }
    case 'set': {
      const op = history.begin({ kind, instance: index, key, value: (id) => ({ key, writer: 'set', id: `s${id}` }) });
      return settle(history, op, () => cache.set(cacheKey(key), op.value!, CALL_OPTIONS[key]));
    }
    case 'delete': {
      const op = history.begin({ kind, instance: index, key });
      return settle(history, op, () => cache.delete(cacheKey(key)));
    }
    case 'invalidateTags': {
      const tags = tagsFor(prng);
      const op = history.begin({ kind, instance: index, tags });
      return settle(history, op, () => cache.invalidateTags(tags));
    }
    case 'clear': {
      const op = history.begin({ kind, instance: index });
      return settle(history, op, () => cache.clear());
    }
    case 'sql': {
      const op = history.begin({ kind, instance: -1, key });
      return settle(history, op, async () => {
        op.version = await source.bump(key);
      });
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
