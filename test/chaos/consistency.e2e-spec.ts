import { describe, expect, it } from '@jest/globals';
import { holdHeavySuiteLock } from '../support/heavy-suite.lock.js';
import { budget } from './budget.js';
import { runInProcess } from './in-process.run.js';
import { chaosSeed } from './prng.js';

/** Seconds of operations in CI; CHAOS_MINUTES overrides (npm run test:chaos -- --minutes N). */
const CI_SECONDS = 60;
/** CHAOS_L2=memcached runs the same checker on a Memcached L2 (two shards) instead of Redis. */
const L2 = process.env.CHAOS_L2 === 'memcached' ? 'memcached' : 'redis';

describe(`chaos: randomized consistency checker, in one process, ${L2} L2`, () => {
  const seed = chaosSeed();
  const phases = budget(CI_SECONDS);

  it(`seed ${seed}: no read serves what an acknowledged write or erase replaced`, async () => {
    console.log(`chaos seed ${seed} (replay with CHAOS_SEED=${seed}); ${phases.calmMs} ms calm, ${phases.faultMs} ms with faults`);
    // Three engines, a private redis-server and twelve callers in flight load both cores.
    const release = await holdHeavySuiteLock();
    let result;
    try {
      result = await runInProcess(seed, phases, { l2: L2 });
    } finally {
      await release();
    }
    const ops = result.history.ops.length;
    console.log(`${ops} operations, ${result.history.loads.length} loader runs, ${result.history.faults.length} faults; history in ${result.historyFile}\n${result.report}`);
    expect(ops).toBeGreaterThan(100);
    if (result.violations.length > 0) throw new Error(result.report);
  }, phases.calmMs + phases.faultMs + 120_000);
});
