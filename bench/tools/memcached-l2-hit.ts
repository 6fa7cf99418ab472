/**
 * L2 hit on Memcached against a raw `get` of the same client and against the Redis L2, at
 * concurrency 1 and 64, interleaved in one run (docs/performance.md, "Memcached L2"). L1 off, so
 * every read reaches L2. Two private memcached shards; Redis and PostgreSQL are the run's.
 *
 *   npx tsc -p tsconfig.bench.json && node --expose-gc dist/bench/bench/tools/memcached-l2-hit.js
 */
import { MemcacheClient } from 'memcache-client';
import { MemcachedProcess } from '../../test/support/memcached-process.js';
import { KetamaRing } from '../../libs/tiered-cache/src/tiers/memcached/ketama.ring.js';
import { v8Serializer } from '../../libs/tiered-cache/src/core/serializer.js';
import { createBenchEnv } from '../lib/env.js';
import { countingLoader, keyRange, noLoaderCalls } from '../lib/loader.js';
import { measure, sequential, wave, type BenchTask } from '../lib/measure.js';
import { createOurs, sampleValue } from '../lib/subjects.js';

const KEY_COUNT = 1_024;

async function main(): Promise<void> {
  const env = await createBenchEnv();
  const shards = [await MemcachedProcess.start(), await MemcachedProcess.start()];
  try {
    const servers = shards.map((shard) => shard.address);
    const keys = keyRange('mc:', KEY_COUNT);
    const values = keys.map((_, index) => sampleValue(index));
    const memcached = await createOurs(env, 'mc_l2', { l1: false, l3: true }, { memcached: { servers, keyPrefix: `${env.prefix}mc:` } });
    const redis = await createOurs(env, 'redis_l2', { l1: false, l2: true, l3: true });
    const loader = countingLoader(() => values[0]);
    // The baseline: one client per shard and the same ring as the tier's, reading values of the same size.
    const ring = new KetamaRing(servers);
    const raw = new Map(servers.map((server) => [server, new MemcacheClient({ server, cmdTimeout: 250 })]));
    const rawKeys = keys.map((key) => `${env.prefix}raw:${key}`);
    const clientOf = (storageKey: string) => raw.get(ring.serverFor(storageKey))!;
    for (let index = 0; index < KEY_COUNT; index++) {
      await memcached.set(keys[index]!, values[index]);
      await redis.set(keys[index]!, values[index]);
      await clientOf(rawKeys[index]!).set(rawKeys[index]!, v8Serializer.serialize(values[index]), { lifetime: 1_800 });
    }
    for (const concurrency of [1, 64]) {
      const run = (call: (index: number) => Promise<unknown>) => (concurrency === 1 ? sequential(1, call) : wave(concurrency, call));
      const key = (index: number) => keys[index % KEY_COUNT]!;
      const tasks: BenchTask[] = [
        { name: 'ours getOrSet, Memcached L2', kind: 'ours', concurrency, ops: concurrency, fn: run((index) => memcached.getOrSet(key(index), loader)), check: noLoaderCalls(loader) },
        { name: 'ours getOrSet, Redis L2', kind: 'ours', concurrency, ops: concurrency, fn: run((index) => redis.getOrSet(key(index), loader)), check: noLoaderCalls(loader) },
        { name: 'raw memcache-client get', kind: 'baseline', concurrency, ops: concurrency, fn: run((index) => clientOf(rawKeys[index % KEY_COUNT]!).get(rawKeys[index % KEY_COUNT]!)) },
      ];
      const measured = await measure(tasks, { rounds: 5, time: 400, warmupTime: 100 });
      const ops = (name: string) => measured.find((row) => row.name === name)!.opsPerSec;
      for (const row of measured) console.log(`c${concurrency} ${row.name}: ${Math.round(row.opsPerSec)} ops/s, p50 ${row.p50Ms.toFixed(3)} ms${row.problems.length ? ` (${row.problems.join('; ')})` : ''}`);
      console.log(`c${concurrency} Memcached L2 / raw get: ${(ops('ours getOrSet, Memcached L2') / ops('raw memcache-client get')).toFixed(2)}; Memcached L2 / Redis L2: ${(ops('ours getOrSet, Memcached L2') / ops('ours getOrSet, Redis L2')).toFixed(2)}`);
    }
    for (const client of raw.values()) client.shutdown();
  } finally {
    await env.dispose();
    for (const shard of shards) await shard.stop();
  }
}

await main();
