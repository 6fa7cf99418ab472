/**
 * `npm run bench:clients [-- --quick]`: the Redis client choice by measurement (docs/decisions/0007).
 * Raw `GET` throughput of ioredis and node-redis (`redis` v5) at concurrency 1 and 64, side by side
 * in one run, on a private single server and on a private 3-master cluster; then what each client
 * does while a cluster master is killed (failed calls, time until `GET` answers again). Starts and
 * stops its own servers on free loopback ports.
 */
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { RedisProcess } from '../test/support/redis-process.js';
import { RedisClusterProcess } from '../test/support/redis-cluster.process.js';
import { measure, pairedRatio, sequential, wave, type BenchTask, type MeasureOptions } from './lib/measure.js';
import { formatMs, formatOps, formatRatio } from './lib/report.js';

const KEY_COUNT = 1_024;
const VALUE = 'x'.repeat(200);
const quick = process.argv.includes('--quick');
const settings: MeasureOptions = quick ? { rounds: 6, time: 120, warmupTime: 30 } : { rounds: 16, time: 250, warmupTime: 50 };

interface Getter {
  name: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  close(): Promise<void> | void;
}

function keys(prefix: string): string[] {
  return Array.from({ length: KEY_COUNT }, (_, index) => `${prefix}${index}`);
}

async function throughput(title: string, getters: readonly Getter[]): Promise<void> {
  const keyList = keys('bench:get:');
  for (const key of keyList) await getters[0]!.set(key, VALUE);
  for (const concurrency of [1, 64]) {
    const tasks: BenchTask[] = getters.map((getter) => ({
      name: getter.name,
      kind: 'baseline',
      ops: concurrency,
      concurrency,
      fn: concurrency === 1
        ? sequential(1, (index) => getter.get(keyList[index % KEY_COUNT]!))
        : wave(concurrency, (index) => getter.get(keyList[index % KEY_COUNT]!)),
    }));
    const results = await measure(tasks, settings);
    console.log(`\n${title}, raw GET, concurrency ${concurrency}`);
    console.log('| client | ops/s (median) | p50 | p99 | ÷ ioredis |');
    console.log('|---|---|---|---|---|');
    const reference = results[0]!;
    for (const result of results) {
      console.log(`| ${result.name} | ${formatOps(result.opsPerSec)} | ${formatMs(result.p50Ms)} | ${formatMs(result.p99Ms)} | ${result === reference ? '1.00×' : formatRatio(pairedRatio(result, reference))} |`);
    }
  }
}

function ioredisSingle(url: string, enableAutoPipelining = false): Getter {
  const client = new Redis(url, { enableOfflineQueue: true, enableAutoPipelining });
  return { name: enableAutoPipelining ? 'ioredis 5, enableAutoPipelining' : 'ioredis 5', get: (key) => client.get(key), set: (key, value) => client.set(key, value), close: () => client.disconnect() };
}

async function nodeRedisSingle(url: string): Promise<Getter> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return { name: 'node-redis 5', get: (key) => client.get(key), set: (key, value) => client.set(key, value), close: () => void client.destroy() };
}

function ioredisCluster(cluster: RedisClusterProcess, name = 'ioredis 5 Cluster', enableAutoPipelining = false): Getter {
  const client = new Cluster(cluster.startupNodes, { enableAutoPipelining, redisOptions: { commandTimeout: 500, maxRetriesPerRequest: 1 } });
  client.on('error', () => undefined);
  return { name, get: (key) => client.get(key), set: (key, value) => client.set(key, value), close: () => client.disconnect() };
}

async function nodeRedisCluster(cluster: RedisClusterProcess, name = 'node-redis 5 cluster'): Promise<Getter> {
  const client = createCluster({ rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })), defaults: { socket: { connectTimeout: 1_000 } } });
  client.on('error', () => undefined);
  await client.connect();
  return { name, get: (key) => client.get(key), set: (key, value) => client.set(key, value), close: () => void client.destroy() };
}

/**
 * Kills the master of a key's slot while one loop per client GETs that key every 5 ms (each call
 * bounded to 1 s), and reports the failed calls and the gap until the first success after the kill.
 */
async function failover(cluster: RedisClusterProcess, getters: readonly Getter[]): Promise<void> {
  const key = 'bench:failover';
  await getters[0]!.set(key, VALUE);
  const victim = await cluster.masterOf(key);
  const stats = getters.map(() => ({ failed: 0, ok: 0, recoveredMs: Number.NaN }));
  let killedAt = 0;
  let running = true;
  const loops = getters.map(async (getter, index) => {
    while (running) {
      const started = performance.now();
      try {
        await Promise.race([getter.get(key), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1_000))]);
        stats[index]!.ok++;
        if (killedAt > 0 && Number.isNaN(stats[index]!.recoveredMs) && started > killedAt) stats[index]!.recoveredMs = performance.now() - killedAt;
      } catch {
        stats[index]!.failed++;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  killedAt = performance.now();
  await cluster.kill(victim);
  await cluster.waitHealthy();
  const deadline = performance.now() + 20_000;
  while (stats.some((stat) => Number.isNaN(stat.recoveredMs)) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 500));
  running = false;
  await Promise.all(loops);
  console.log('\nCluster master killed under GET every 5 ms');
  console.log('| client | failed calls | ok calls | first success after the kill |');
  console.log('|---|---|---|---|');
  getters.forEach((getter, index) => {
    const stat = stats[index]!;
    console.log(`| ${getter.name} | ${stat.failed} | ${stat.ok} | ${Number.isNaN(stat.recoveredMs) ? 'none within 20 s' : `${Math.round(stat.recoveredMs)} ms`} |`);
  });
  await cluster.restart(victim);
}

async function main(): Promise<void> {
  const single = await RedisProcess.start();
  const cluster = await RedisClusterProcess.start(3);
  const open: Getter[] = [];
  try {
    const singles = [ioredisSingle(single.url), ioredisSingle(single.url, true), await nodeRedisSingle(single.url)];
    open.push(...singles);
    await throughput('Single server', singles);
    const clusters = [ioredisCluster(cluster), ioredisCluster(cluster, 'ioredis 5 Cluster, enableAutoPipelining', true), await nodeRedisCluster(cluster)];
    open.push(...clusters);
    await throughput('3-master cluster', clusters);
    const probes = [ioredisCluster(cluster, 'ioredis 5 Cluster'), await nodeRedisCluster(cluster, 'node-redis 5 cluster')];
    open.push(...probes);
    await failover(cluster, probes);
  } finally {
    for (const getter of open) await getter.close();
    await cluster.stop();
    await single.stop();
  }
}

await main();
