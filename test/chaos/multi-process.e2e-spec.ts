import { describe, expect, it } from '@jest/globals';
import { holdHeavySuiteLock } from '../support/heavy-suite.lock.js';
import { budget } from './budget.js';
import { runMultiProcess } from './multi-process.run.js';
import { chaosSeed } from './prng.js';

/** Seconds of operations in CI; CHAOS_MINUTES overrides (npm run test:chaos -- --multi-process --minutes N). */
const CI_SECONDS = 30;

describe('chaos: randomized consistency checker, one engine per process', () => {
  const seed = chaosSeed();
  const phases = budget(CI_SECONDS);

  it(`seed ${seed}: no read serves what an acknowledged write or erase replaced`, async () => {
    console.log(`chaos (3 processes) seed ${seed} (replay with CHAOS_SEED=${seed}); ${phases.calmMs} ms calm, ${phases.faultMs} ms with faults`);
    // Three engine processes and a private redis-server load both cores.
    const release = await holdHeavySuiteLock();
    let result;
    try {
      result = await runMultiProcess(seed, phases);
    } finally {
      await release();
    }
    const ops = result.history.ops.length;
    console.log(`${ops} operations, ${result.history.loads.length} loader runs, ${result.history.faults.length} faults; history in ${result.historyFile}\n${result.report}`);
    expect(ops).toBeGreaterThan(100);
    if (result.violations.length > 0) throw new Error(result.report);
  }, phases.calmMs + phases.faultMs + 120_000);
});
