/**
 * Raw `get` throughput of the two Memcached clients shortlisted in docs/decisions/0005, on one
 * private memcached, at concurrency 1 and 64, in the same run. Prints ratios, not a verdict.
 *
 *   npx tsc -p tsconfig.bench.json && node dist/bench/bench/tools/memcached-clients.js
 */
import memjs from 'memjs';
import { MemcacheClient } from 'memcache-client';
import { MemcachedProcess } from '../../test/support/memcached-process.js';

const DURATION_MS = 3_000;
const KEYS = 1_024;
const VALUE = Buffer.alloc(512, 0x61);

type Get = (key: string) => Promise<unknown>;

async function throughput(get: Get, concurrency: number): Promise<number> {
  let done = 0;
  const end = performance.now() + DURATION_MS;
  const worker = async (offset: number) => {
    for (let index = offset; performance.now() < end; index += concurrency) {
      await get(`k${index % KEYS}`);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, offset) => worker(offset)));
  return done / ((performance.now() - started) / 1_000);
}

async function main(): Promise<void> {
  const server = await MemcachedProcess.start();
  const mj = memjs.Client.create(server.address, { timeout: 1, retries: 1, logger: { log: () => undefined } });
  const mc = new MemcacheClient({ server: server.address, cmdTimeout: 1_000 });
  try {
    for (let index = 0; index < KEYS; index++) await mc.set(`k${index}`, VALUE);
    const clients: Record<string, Get> = {
      memjs: (key) => mj.get(key),
      'memcache-client': (key) => mc.get(key),
    };
    for (const concurrency of [1, 64]) {
      const rates: Record<string, number> = {};
      for (const [name, get] of Object.entries(clients)) {
        await throughput(get, concurrency); // warm-up
        rates[name] = await throughput(get, concurrency);
      }
      const [first, second] = Object.values(rates) as [number, number];
      console.log(`c${concurrency}: ${Object.entries(rates).map(([name, rate]) => `${name} ${Math.round(rate)} ops/s`).join(', ')}; memjs/memcache-client ${(first / second).toFixed(2)}`);
    }
  } finally {
    mj.close();
    mc.shutdown();
    await server.stop();
  }
}

await main();
