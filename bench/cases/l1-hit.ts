import { LRUCache } from 'lru-cache';
import { countingLoader, keyRange, noLoaderCalls } from '../lib/loader.js';
import { measure, pairedRatio, sequential, type BenchTask, type Measured } from '../lib/measure.js';
import { find, formatRatio, problemsOf, ratioTarget, throughputTable } from '../lib/report.js';
import { createBento, createCacheManager, createOurs, L1_MAX_ENTRIES, sampleValue } from '../lib/subjects.js';
import { cachedMethodSubject } from './l1-hit.cached.js';
import { OBSERVED_GROUPS, OBSERVED_NOOP, observedSubjects } from './l1-hit.observed.js';
import type { BenchCase } from './types.js';

/** Keys read in turn; all fit every L1. */
const KEY_COUNT = 1_000;
/** Calls per timed sample: one L1 hit is far below the timer's and tinybench's own overhead. */
const BATCH = 1_000;

/** The price of the admin module's counters on an L1 hit, as ratios of the same run (docs/trends.md). */
function observedNote(results: readonly Measured[], primary: Measured): string {
  const noop = find(results, OBSERVED_NOOP);
  const counted = find(results, OBSERVED_GROUPS);
  return `Key groups + trend minutes: ${formatRatio(pairedRatio(counted, primary))} the plain L1 hit, ${formatRatio(pairedRatio(counted, noop))} a cache with a no-op observer (the admin module's stats history already registers one); a no-op observer alone: ${formatRatio(pairedRatio(noop, primary))}.`;
}

export const l1HitCase: BenchCase = {
  id: '1',
  title: 'L1 hit',
  async run({ env, settings, log }) {
    const keys = keyRange('l1:', KEY_COUNT);
    const values = keys.map((_, index) => sampleValue(index));

    const ours = await createOurs(env, 'case1', { l1: true, l2: true });
    const oursLoader = countingLoader(() => values[0]);
    const cloning = await createOurs(env, 'case1', { l1: true, l2: true }, { clone: true });
    const cloningLoader = countingLoader(() => values[0]);
    const bento = await createBento(env, 'case1', { l1: true, l2: true });
    const bentoLoader = countingLoader(() => values[0]);
    const manager = await createCacheManager(env, 'case1', { memory: true, redis: true });
    const managerLoader = countingLoader(() => values[0]);
    const map = new Map<string, unknown>();
    const lru = new LRUCache<string, object>({ max: L1_MAX_ENTRIES });

    log('case 1: filling the caches');
    for (let index = 0; index < KEY_COUNT; index++) {
      const key = keys[index]!;
      const value = values[index]!;
      await ours.set(key, value);
      await cloning.set(key, value);
      await bento.set({ key, value });
      await manager.set(key, value);
      map.set(key, value);
      lru.set(key, value);
    }

    const mapGet = async (key: string) => map.get(key);
    const lruGet = async (key: string) => lru.get(key);
    const tasks: BenchTask[] = [
      {
        name: 'ours getOrSet',
        kind: 'ours',
        ops: BATCH,
        fn: sequential(BATCH, (index) => ours.getOrSet(keys[index % KEY_COUNT]!, oursLoader)),
        check: noLoaderCalls(oursLoader),
      },
      {
        name: 'ours getOrSet, clone: true',
        kind: 'ours',
        ops: BATCH,
        fn: sequential(BATCH, (index) => cloning.getOrSet(keys[index % KEY_COUNT]!, cloningLoader)),
        check: noLoaderCalls(cloningLoader),
      },
      {
        name: 'bentocache getOrSet',
        kind: 'peer',
        ops: BATCH,
        fn: sequential(BATCH, (index) => bento.getOrSet({ key: keys[index % KEY_COUNT]!, factory: bentoLoader })),
        check: noLoaderCalls(bentoLoader),
      },
      {
        name: 'cache-manager wrap',
        kind: 'peer',
        ops: BATCH,
        fn: sequential(BATCH, (index) => manager.wrap(keys[index % KEY_COUNT]!, managerLoader)),
        check: noLoaderCalls(managerLoader),
      },
      { name: 'Map.get in async fn', kind: 'baseline', ops: BATCH, fn: sequential(BATCH, (index) => mapGet(keys[index % KEY_COUNT]!)) },
      { name: 'lru-cache.get in async fn', kind: 'baseline', ops: BATCH, fn: sequential(BATCH, (index) => lruGet(keys[index % KEY_COUNT]!)) },
    ];
    const cached = await cachedMethodSubject(env, keys, values, BATCH);
    tasks.splice(1, 0, ...cached.tasks);
    const observed = await observedSubjects(env, keys, values, BATCH);
    tasks.splice(1, 0, ...observed.tasks);

    log(`case 1: measuring ${tasks.length} subjects`);
    const results = await measure(tasks, settings.measure);
    const primary = find(results, 'ours getOrSet');
    const bentoResult = find(results, 'bentocache getOrSet');
    const managerResult = find(results, 'cache-manager wrap');
    const lruResult = find(results, 'lru-cache.get in async fn');
    return {
      id: '1',
      title: 'L1 hit',
      setup: [
        `${KEY_COUNT} keys, each holding a ~0.5 kB record, read in turn; every library has them in its memory tier.`,
        `One timed sample is ${BATCH} sequential awaited calls (a single hit is below the timer's resolution); ops/s and the p50 are per call.`,
        'Ours: `TieredCache` with L1 + L2 (Redis), `getOrSet(key, loader)`; "clone: true" is the same cache with the option that hands every read its own copy (a deserialize of a copy of the bytes L1 keeps). BentoCache: memory L1 (`serialize: false`) + Redis L2 + Redis bus, `getOrSet({ key, factory })`. cache-manager 7: memory Keyv store + `@keyv/redis`, `wrap(key, fn)`. Baselines: `Map.get` / `lru-cache.get` called from an `async` function and awaited.',
        cached.setup,
        observed.setup,
      ],
      tables: [throughputTable('L1 hit, sequential', results, primary)],
      notes: [...problemsOf(results), observedNote(results, primary)],
      targets: [
        ratioTarget('L1 hit vs BentoCache', '≥ 1.5× BentoCache throughput', primary, bentoResult, 1.5),
        ratioTarget('L1 hit vs cache-manager', '≥ 3× cache-manager throughput', primary, managerResult, 3),
        ratioTarget('L1 hit vs lru-cache.get', 'within 3× of lru-cache.get in an async fn (≥ 0.33×)', primary, lruResult, 1 / 3),
      ],
    };
  },
};
