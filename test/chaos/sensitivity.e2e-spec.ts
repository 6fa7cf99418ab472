import { describe, expect, it } from '@jest/globals';
import { holdHeavySuiteLock } from '../support/heavy-suite.lock.js';
import { runInProcess } from './in-process.run.js';
import { judge } from './judge.js';
import { chaosSeed } from './prng.js';

/**
 * The checker must be able to fail on every path it claims to check. With the bus, the listeners
 * and the source table's trigger left out, other instances' L1s keep erased values and SQL updates
 * invalidate nothing: the judge has to report both, within a short fault-free run.
 */
/** CHAOS_L2=memcached: the same proof on the Memcached topology. */
const L2 = process.env.CHAOS_L2 === 'memcached' ? 'memcached' : 'redis';

describe(`chaos checker sensitivity, ${L2} L2`, () => {
  const seed = chaosSeed();

  it(`seed ${seed}: finds stale reads across instances and after SQL updates when bus and trigger are left out`, async () => {
    const release = await holdHeavySuiteLock();
    let result;
    try {
      result = await runInProcess(seed, { calmMs: 8_000, faultMs: 0 }, { without: { bus: true, listener: true, trigger: true }, l2: L2 });
    } finally {
      await release();
    }
    const classes = [...new Set(result.violations.map((v) => v.cls))];
    console.log(`sensitivity run, seed ${seed}: ${result.history.ops.length} operations\n${classes.join('\n')}`);
    expect(classes.some((cls) => cls.includes('after delete (other instance)') || cls.includes('after invalidateTags (other instance)'))).toBe(true);
    // Judged by the trigger path alone: other instances' erases are overdue sooner and would be named first.
    expect(judge(result.history, { hidingKinds: ['sql'] }).some((v) => v.cls.includes('after sql (db)'))).toBe(true);
  }, 120_000);
});
