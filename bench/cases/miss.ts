import { countingLoader, type CountingLoader } from '../lib/loader.js';
import { measure, sequential, type BenchTask } from '../lib/measure.js';
import { find, problemsOf, throughputTable } from '../lib/report.js';
import { createBento, createCacheManager, createOurs, sampleValue, sleep } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

const LOADER_MS = 1;

export const missCase: BenchCase = {
  id: '4',
  title: 'Miss with a 1 ms loader',
  async run({ env, settings, log }) {
    const value = sampleValue(1);
    const ours = await createOurs(env, 'case4', { l1: true, l2: true });
    const oursFull = await createOurs(env, 'case4_full', { l1: true, l2: true, l3: true });
    const bento = await createBento(env, 'case4', { l1: true, l2: true });
    const manager = await createCacheManager(env, 'case4', { memory: true, redis: true });

    /** Every call a key never seen before, so every call misses every tier and runs the loader. */
    const subject = (name: string, kind: BenchTask['kind'], call: (key: string, loader: CountingLoader<unknown>) => Promise<unknown>): BenchTask => {
      const loader = countingLoader(() => value, LOADER_MS);
      let calls = 0;
      const tag = name.replace(/[^a-z0-9]+/gi, '_');
      return {
        name,
        kind,
        fn: sequential(1, () => call(`miss:${tag}:${calls++}`, loader)),
        check: () => (loader.calls === calls ? undefined : `${calls} calls but ${loader.calls} loader runs: not every call was a miss`),
      };
    };
    const tasks: BenchTask[] = [
      subject('ours getOrSet (L1+L2)', 'ours', (key, loader) => ours.getOrSet(key, loader)),
      subject('ours getOrSet (L1+L2+L3)', 'ours', (key, loader) => oursFull.getOrSet(key, loader)),
      subject('bentocache getOrSet (L1+L2)', 'peer', (key, loader) => bento.getOrSet({ key, factory: loader })),
      subject('cache-manager wrap (memory+Redis)', 'peer', (key, loader) => manager.wrap(key, loader)),
      { name: `the loader alone (${LOADER_MS} ms timer)`, kind: 'baseline', fn: sequential(1, () => sleep(LOADER_MS)) },
    ];
    log('case 4: measuring');
    const results = await measure(tasks, settings.measure);
    const primary = find(results, 'ours getOrSet (L1+L2)');
    const floor = find(results, `the loader alone (${LOADER_MS} ms timer)`);
    const overhead = results
      .filter((result) => result !== floor)
      .map((result) => `${result.name}: ${((result.p50Ms - floor.p50Ms) * 1000).toFixed(0)} µs over the loader alone (p50)`);
    return {
      id: '4',
      title: 'Miss with a 1 ms loader',
      setup: [
        `Every call uses a key never used before, so it misses every tier, runs the loader (\`setTimeout\` of ${LOADER_MS} ms, which Node rounds up to its timer tick) and writes the value to every tier. One awaited call per sample.`,
        'Ours with L1 + L2 (the peers\' tiers) and with L1 + L2 + L3; BentoCache memory L1 + Redis L2 + bus; cache-manager memory + `@keyv/redis`. Baseline: the loader alone, awaited.',
      ],
      tables: [throughputTable('Miss, concurrency 1', results, primary)],
      notes: [...overhead, ...problemsOf(results)],
      targets: [],
    };
  },
};
