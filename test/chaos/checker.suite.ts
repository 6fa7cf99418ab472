import { describe, expect, it } from '@jest/globals';
import { holdHeavySuiteLock } from '../support/heavy-suite.lock.js';
import { budget } from './budget.js';
import { runInProcess } from './in-process.run.js';
import { chaosSeed } from './prng.js';

/**
 * The randomized consistency checker as a Jest suite: `ciSeconds` of operations (CHAOS_MINUTES
 * overrides: npm run test:chaos -- --minutes N) on the given L2.
 */
export function describeChecker(L2: 'redis' | 'memcached', ciSeconds: number): void {
  describe(`chaos: randomized consistency checker, in one process, ${L2} L2`, () => {
    const seed = chaosSeed();
    const phases = budget(ciSeconds);

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
}
