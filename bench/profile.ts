/**
 * One subject's hot loop, alone, for a clean CPU profile of our engine:
 *
 *   npx tsc -p tsconfig.bench.json
 *   node --cpu-prof --cpu-prof-dir=.perfbuild dist/bench/bench/profile.js l2 64
 *   node dist/bench/bench/tools/top-functions.js .perfbuild/<file>.cpuprofile
 *
 * Scenarios: `l1`, `l2 [concurrency]`, `l3 [concurrency]`, `miss`. Same storage isolation as the
 * bench (own Redis prefix and schema, removed at the end). Prints the ops/s it reached.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { createBenchEnv } from './lib/env.js';
import { keyRange } from './lib/loader.js';
import { createOurs, sampleValue, sleep } from './lib/subjects.js';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);

async function main(): Promise<void> {
  const [scenario = 'l2', widthArg = '1'] = process.argv.slice(2);
  const width = Number(widthArg);
  const env = await createBenchEnv();
  try {
    const keys = keyRange('p:', 1_024);
    const value = sampleValue(1);
    const tiers =
      scenario === 'l1' ? { l1: true, l2: true } : scenario === 'l2' ? { l1: false, l2: true } : scenario === 'l3' ? { l1: false, l3: true } : { l1: true, l2: true };
    const cache = await createOurs(env, 'profile', tiers);
    if (scenario !== 'miss') for (const key of keys) await cache.set(key, value);
    const loader = scenario === 'miss' ? async () => (await sleep(1), value) : async () => value;
    let index = 0;
    let ops = 0;
    const until = performance.now() + SECONDS * 1000;
    while (performance.now() < until) {
      const calls: Array<Promise<unknown>> = [];
      for (let n = 0; n < width; n++) {
        const key = scenario === 'miss' ? `miss:${index++}` : keys[index++ % keys.length]!;
        calls.push(cache.getOrSet(key, loader));
      }
      await Promise.all(calls);
      ops += width;
    }
    process.stdout.write(`${scenario} concurrency ${width}: ${(ops / SECONDS).toFixed(0)} ops/s, ${JSON.stringify(cache.stats().loaderCalls)} loader calls\n`);
  } finally {
    await env.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
