import { countingLoader, keyRange, noLoaderCalls } from '../lib/loader.js';
import { measure, sequential, type BenchTask, type Measured } from '../lib/measure.js';
import { find, problemsOf, throughputTable, type Table } from '../lib/report.js';
import { createCacheManager, createOurs, sampleValue } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

/** Keys one batch reads. */
const BATCH = 100;
/** Distinct batches, read in turn, so that no batch is always the same 100 keys. */
const BATCHES = 10;
const KEY_COUNT = BATCH * BATCHES;

/** A batch loader that must never run in a hit case. */
function batchLoaderFor(value: unknown) {
  const loader = Object.assign(
    async (keys: string[]) => {
      loader.calls++;
      return keys.map(() => value);
    },
    { calls: 0 },
  );
  return loader;
}

/**
 * 100 keys read as one batch (`getMany`, `getOrSetMany`) against 100 concurrent `getOrSet` calls
 * and cache-manager's `mget`, with only L2 and with only L3 holding the keys. Every subject reads
 * the same values; a sample is one batch of 100 keys, and ops/s counts keys.
 */
export const batchReadCase: BenchCase = {
  id: '10',
  title: 'Batch read of 100 keys, L2 and L3',
  async run({ env, settings, log }) {
    const keys = keyRange('batch:', KEY_COUNT);
    const values = keys.map((_, index) => sampleValue(index));
    const batchOf = (index: number) => keys.slice((index % BATCHES) * BATCH, (index % BATCHES + 1) * BATCH);

    const l2 = await createOurs(env, 'case10l2', { l1: false, l2: true });
    const l3 = await createOurs(env, 'case10l3', { l1: false, l3: true });
    const manager = await createCacheManager(env, 'case10', { memory: false, redis: true });
    log('case 10: filling Redis and PostgreSQL');
    for (let index = 0; index < KEY_COUNT; index++) {
      await l2.set(keys[index]!, values[index]);
      await l3.set(keys[index]!, values[index]);
      await manager.set(keys[index]!, values[index]);
    }

    const tables: Table[] = [];
    const all: Measured[] = [];
    for (const [tier, cache] of [
      ['L2', l2],
      ['L3', l3],
    ] as const) {
      const single = countingLoader(() => values[0]);
      const batch = batchLoaderFor(values[0]);
      const tasks: BenchTask[] = [
        { name: `ours getMany (${tier} only)`, kind: 'ours', ops: BATCH, fn: sequential(1, (index) => cache.getMany(batchOf(index))) },
        {
          name: `ours getOrSetMany (${tier} only)`,
          kind: 'ours',
          ops: BATCH,
          fn: sequential(1, (index) => cache.getOrSetMany(batchOf(index), batch)),
          check: () => (batch.calls > 0 ? `the batch loader ran ${batch.calls} times during a hit case` : undefined),
        },
        {
          name: `ours 100 × getOrSet, concurrent (${tier} only)`,
          kind: 'ours',
          ops: BATCH,
          fn: sequential(1, (index) => Promise.all(batchOf(index).map((key) => cache.getOrSet(key, single)))),
          check: noLoaderCalls(single),
        },
      ];
      if (tier === 'L2') {
        tasks.push({ name: 'cache-manager mget (Redis only)', kind: 'peer', ops: BATCH, fn: sequential(1, (index) => manager.mget(batchOf(index))) });
      }
      log(`case 10: measuring on ${tier}`);
      const results = await measure(tasks, { ...settings.measure, gc: false });
      all.push(...results);
      tables.push(throughputTable(`Batch of ${BATCH} keys, ${tier} hit (ops/s are keys)`, results, find(results, `ours getMany (${tier} only)`)));
    }
    return {
      id: '10',
      title: 'Batch read of 100 keys, L2 and L3',
      setup: [
        `${KEY_COUNT} keys, each a ~0.5 kB record, in ${BATCHES} batches of ${BATCH}; a sample reads one batch (the next one each time). Ops/s counts keys.`,
        'Ours: caches with only Redis (`memory: false`) or only PostgreSQL, so every key is an L2 or an L3 read. `getMany` and `getOrSetMany` send one pipeline of the read script (L2) or one `= ANY` statement (L3) per batch; `100 × getOrSet` are the single calls, all started at once (ioredis writes them back to back; PostgreSQL spreads them over the 10-connection pool).',
        'Peer: cache-manager 7 with only the `@keyv/redis` store, `mget` of the same 100 keys (one `MGET`). No cache-manager row on L3: it has no PostgreSQL store among this project\'s dependencies.',
      ],
      tables,
      notes: problemsOf(all),
      targets: [],
    };
  },
};
