import { countingLoader } from '../lib/loader.js';
import { measure, median, pairedRatio, type BenchTask, type Measured } from '../lib/measure.js';
import { find, formatMs, formatRatio, problemsOf, type TargetResult } from '../lib/report.js';
import { createBento, createCacheManager, createOurs, sampleValue } from '../lib/subjects.js';
import type { BenchCase } from './types.js';

const CALLS = 1_000;
const LOADER_MS = 10;

interface Stampede {
  task: BenchTask;
  /** Loader runs of each stampede. */
  loaderRuns: number[];
}

export const stampedeCase: BenchCase = {
  id: '5',
  title: 'Stampede: 1,000 concurrent calls on a cold key',
  async run({ env, settings, log }) {
    const value = sampleValue(5);
    const ours = await createOurs(env, 'case5', { l1: true, l2: true });
    const oursFull = await createOurs(env, 'case5_full', { l1: true, l2: true, l3: true });
    const bento = await createBento(env, 'case5', { l1: true, l2: true });
    const manager = await createCacheManager(env, 'case5', { memory: true, redis: true });

    /** One sample: 1,000 calls started together on a key nobody has used, all awaited. */
    const stampede = (name: string, kind: BenchTask['kind'], call: (key: string, loader: () => Promise<unknown>) => Promise<unknown>): Stampede => {
      const loaderRuns: number[] = [];
      const bad: string[] = [];
      const tag = name.replace(/[^a-z0-9]+/gi, '_');
      let round = 0;
      return {
        loaderRuns,
        task: {
          name,
          kind,
          ops: CALLS,
          concurrency: CALLS,
          fn: async () => {
            const key = `stampede:${tag}:${round++}`;
            const loader = countingLoader(() => ({ ...value, key }), LOADER_MS);
            const calls = new Array<Promise<unknown>>(CALLS);
            for (let n = 0; n < CALLS; n++) calls[n] = call(key, loader);
            const results = await Promise.all(calls);
            loaderRuns.push(loader.calls);
            if (results.some((result) => (result as { key?: string } | undefined)?.key !== key)) bad.push(key);
          },
          check: () => (bad.length === 0 ? undefined : `${bad.length} stampedes returned a wrong value`),
        },
      };
    };
    const subjects = [
      stampede('ours getOrSet (L1+L2)', 'ours', (key, loader) => ours.getOrSet(key, loader)),
      stampede('ours getOrSet (L1+L2+L3)', 'ours', (key, loader) => oursFull.getOrSet(key, loader)),
      stampede('bentocache getOrSet (L1+L2)', 'peer', (key, loader) => bento.getOrSet({ key, factory: loader })),
      stampede('cache-manager wrap (memory+Redis)', 'peer', (key, loader) => manager.wrap(key, loader)),
      stampede('no cache (the loader 1,000 times)', 'baseline', (key, loader) => loader()),
    ];
    log(`case 5: ${settings.stampedeRepeats} stampedes per subject`);
    const results = await measure(
      subjects.map((subject) => subject.task),
      { rounds: settings.stampedeRepeats, time: 0, warmupTime: 0, iterations: 1, warmup: false },
    );
    const primary = find(results, 'ours getOrSet (L1+L2)');
    const runsOf = (result: Measured) => subjects.find((subject) => subject.task.name === result.name)!.loaderRuns;
    const table = {
      title: `Stampede, ${CALLS} calls, ${LOADER_MS} ms loader`,
      leftColumns: 2,
      columns: ['Subject', 'Kind', 'Loader runs per stampede (max)', 'Loader runs (median)', 'Wall time p50', 'Wall time max', 'subject ÷ ours (wall time)'],
      rows: results.map((result) => {
        const runs = runsOf(result);
        const wall = result.perRound.map((opsPerSec) => (CALLS * 1000) / opsPerSec);
        return [
          result.name,
          result.kind,
          String(Math.max(...runs)),
          String(median(runs)),
          formatMs(median(wall)),
          formatMs(Math.max(...wall)),
          result === primary ? '1.00× (reference)' : formatRatio(pairedRatio(primary, result)),
        ];
      }),
    };
    const oursRuns = [...runsOf(primary), ...runsOf(find(results, 'ours getOrSet (L1+L2+L3)'))];
    const target: TargetResult = {
      name: 'Stampede loader calls',
      goal: '1 loader call per 1,000-call stampede',
      measured: `max ${Math.max(...oursRuns)} over ${oursRuns.length} stampedes (L1+L2 and L1+L2+L3); wall time p50 ${formatMs(primary.p50Ms)}`,
      met: oursRuns.every((runs) => runs === 1),
    };
    return {
      id: '5',
      title: 'Stampede: 1,000 concurrent calls on a cold key',
      setup: [
        `A sample starts ${CALLS} calls at once on a key no one has used, with a loader taking ${LOADER_MS} ms, and waits for all of them; each library gets ${settings.stampedeRepeats} such stampedes, interleaved with the others'. Every call must return the loader's value.`,
        'Wall time is from the first call to the last result. Ours with L1 + L2 and L1 + L2 + L3 (in one process: the local single-flight; `lock: true` adds a Redis lock for many processes); BentoCache memory L1 + Redis L2 + bus; cache-manager memory + `@keyv/redis` (`wrap` coalesces per key).',
      ],
      tables: [table],
      notes: problemsOf(results),
      targets: [target],
    };
  },
};
