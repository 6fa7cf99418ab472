import { countingLoader, keyRange, noLoaderCalls } from '../lib/loader.js';
import { measure, sequential, wave, type BenchTask, type Measured } from '../lib/measure.js';
import { find, problemsOf, ratioTarget, throughputTable, type TargetResult } from '../lib/report.js';
import { createBento, createCacheManager, createOurs, createRawRedis, sampleValue } from '../lib/subjects.js';
import { v8Serializer } from '../../libs/tiered-cache/src/core/serializer.js';
import type { BenchCase } from './types.js';

/** More keys than one wave, so that 64 concurrent calls never share a key (no coalescing). */
const KEY_COUNT = 1_024;
const CONCURRENCY = [1, 64] as const;

export const l2HitCase: BenchCase = {
  id: '2',
  title: 'L2 hit (L1 cold), concurrency 1 and 64',
  async run({ env, settings, log }) {
    const keys = keyRange('l2:', KEY_COUNT);
    const values = keys.map((_, index) => sampleValue(index));

    // L1 cold, fairly: each library configured without its memory tier, so every read goes to Redis.
    const ours = await createOurs(env, 'case2', { l1: false, l2: true });
    const oursLoader = countingLoader(() => values[0]);
    // The same read through a full cache, turning L1 off per call.
    const oursFull = await createOurs(env, 'case2', { l1: true, l2: true });
    const oursFullLoader = countingLoader(() => values[0]);
    const l2Only = { tiers: ['l2'] as const };
    const bento = await createBento(env, 'case2', { l1: false, l2: true });
    const bentoLoader = countingLoader(() => values[0]);
    const manager = await createCacheManager(env, 'case2', { memory: false, redis: true });
    const managerLoader = countingLoader(() => values[0]);
    const raw = await createRawRedis(env);
    const rawKeys = keyRange(`${env.prefix}raw:`, KEY_COUNT);

    log('case 2: filling Redis');
    for (let index = 0; index < KEY_COUNT; index++) {
      const key = keys[index]!;
      await ours.set(key, values[index]);
      await bento.set({ key, value: values[index] });
      await manager.set(key, values[index]);
      // The baseline reads a value of the size ours stores.
      await raw.set(rawKeys[index]!, v8Serializer.serialize(values[index]), 'PX', 30 * 60_000);
    }

    const tables = [];
    const notes: string[] = [];
    const targets: TargetResult[] = [];
    const all: Measured[] = [];
    for (const concurrency of CONCURRENCY) {
      const run = (call: (index: number) => Promise<unknown>) => (concurrency === 1 ? sequential(1, call) : wave(concurrency, call));
      const key = (index: number) => keys[index % KEY_COUNT]!;
      const tasks: BenchTask[] = [
        {
          name: 'ours getOrSet (no L1)',
          kind: 'ours',
          ops: concurrency,
          concurrency,
          fn: run((index) => ours.getOrSet(key(index), oursLoader)),
          check: noLoaderCalls(oursLoader),
        },
        {
          name: "ours getOrSet, tiers: ['l2']",
          kind: 'ours',
          ops: concurrency,
          concurrency,
          fn: run((index) => oursFull.getOrSet(key(index), oursFullLoader, l2Only)),
          check: noLoaderCalls(oursFullLoader),
        },
        {
          name: 'bentocache getOrSet (L2 only)',
          kind: 'peer',
          ops: concurrency,
          concurrency,
          fn: run((index) => bento.getOrSet({ key: key(index), factory: bentoLoader })),
          check: noLoaderCalls(bentoLoader),
        },
        {
          name: 'cache-manager wrap (Redis only)',
          kind: 'peer',
          ops: concurrency,
          concurrency,
          fn: run((index) => manager.wrap(key(index), managerLoader)),
          check: noLoaderCalls(managerLoader),
        },
        {
          name: 'raw Redis GET',
          kind: 'baseline',
          ops: concurrency,
          concurrency,
          fn: run((index) => raw.getBuffer(rawKeys[index % KEY_COUNT]!)),
        },
        {
          // What any cache must add to a GET to hand back a value: the deserialization.
          name: 'raw Redis GET + V8 deserialize',
          kind: 'baseline',
          ops: concurrency,
          concurrency,
          fn: run((index) => raw.getBuffer(rawKeys[index % KEY_COUNT]!).then((bytes) => v8Serializer.deserialize(bytes!))),
        },
      ];
      log(`case 2: measuring at concurrency ${concurrency}`);
      const results = await measure(tasks, settings.measure);
      all.push(...results);
      const primary = find(results, 'ours getOrSet (no L1)');
      tables.push(throughputTable(`L2 hit, concurrency ${concurrency}`, results, primary));
      targets.push(
        ratioTarget(
          `L2 hit vs raw GET, concurrency ${concurrency}`,
          '≥ 0.8× raw Redis GET throughput at the same concurrency',
          primary,
          find(results, 'raw Redis GET'),
          0.8,
        ),
      );
    }
    notes.push(...problemsOf(all));
    return {
      id: '2',
      title: 'L2 hit (L1 cold), concurrency 1 and 64',
      setup: [
        `${KEY_COUNT} keys in Redis, each a ~0.5 kB record. Concurrency 1: one awaited call per sample. Concurrency 64: a sample is a wave of 64 concurrent calls on 64 different keys (no coalescing); ops/s counts calls, the latencies are the wave's, which every call in it waits about as long as.`,
        'L1 is cold because no library has one here: ours `memory: false` + Redis; BentoCache a store with only the Redis L2 layer; cache-manager only the `@keyv/redis` store. Also shown: our full L1 + L2 cache read with `{ tiers: [\'l2\'] }` per call.',
        'Baseline: `getBuffer` of a key holding the same bytes ours stores, on an ioredis client with the settings our L2 tier gives its own client (`redisClientOptions`), at the same concurrency; and the same `GET` followed by the V8 deserialization of the value, which every read that returns a value pays. Our read is one `EVALSHA` (entry, tag stamps and clock in one round trip) plus V8 deserialization; the peers do a `GET` plus `JSON.parse`. BentoCache uses ioredis (default settings); `@keyv/redis` uses node-redis, which pipelines the commands issued in one tick.',
      ],
      tables,
      notes,
      targets,
    };
  },
};
