import { KeyGroupStats } from '../../libs/tiered-cache/src/groups/key-group.stats.js';
import { MinuteRecorder } from '../../libs/tiered-cache/src/trends/minute-recorder.js';
import type { BenchEnv } from '../lib/env.js';
import { countingLoader, noLoaderCalls } from '../lib/loader.js';
import { sequential, type BenchTask } from '../lib/measure.js';
import { createOurs } from '../lib/subjects.js';

/** Row names, for the case's ratios. */
export const OBSERVED_NOOP = 'ours getOrSet, one no-op observer';
export const OBSERVED_GROUPS = 'ours getOrSet, key groups + trend minutes';

/**
 * Case 1 with the admin module's per-call counters registered (docs/trends.md): the same cache
 * kind once with an observer that does nothing (the engine's cost of being observed at all) and
 * once with `KeyGroupStats` and `MinuteRecorder`, so the ratio to the plain row is the price of
 * the counters on an L1 hit.
 */
export async function observedSubjects(env: BenchEnv, keys: readonly string[], values: readonly unknown[], batch: number): Promise<{ tasks: BenchTask[]; setup: string }> {
  const noop = await createOurs(env, 'case1', { l1: true, l2: true });
  noop.observe({ call: () => undefined });
  const counted = await createOurs(env, 'case1', { l1: true, l2: true });
  counted.observe(new KeyGroupStats().observer);
  counted.observe(new MinuteRecorder().observer);
  for (let index = 0; index < keys.length; index++) {
    await noop.set(keys[index]!, values[index]);
    await counted.set(keys[index]!, values[index]);
  }
  const noopLoader = countingLoader(() => values[0]);
  const countedLoader = countingLoader(() => values[0]);
  return {
    tasks: [
      { name: OBSERVED_NOOP, kind: 'ours', ops: batch, fn: sequential(batch, (index) => noop.getOrSet(keys[index % keys.length]!, noopLoader)), check: noLoaderCalls(noopLoader) },
      { name: OBSERVED_GROUPS, kind: 'ours', ops: batch, fn: sequential(batch, (index) => counted.getOrSet(keys[index % keys.length]!, countedLoader)), check: noLoaderCalls(countedLoader) },
    ],
    setup:
      '"one no-op observer": the same cache with `observe({ call() {} })`, so every call is timed and emits its event. "key groups + trend minutes": the counters the admin module registers (`KeyGroupStats`, `MinuteRecorder`, docs/trends.md); its ratio to the plain row is what they cost an L1 hit.',
  };
}
