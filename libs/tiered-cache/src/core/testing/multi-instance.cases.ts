import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep, type CacheFixture } from '../../../../../test/support/cache-fixture.js';
import { until, waitFor } from '../../../../../test/support/eventually.js';
import { quantile } from '../../../../../test/support/processes/http.js';

/** Cache instances on shared storage; the L2 topology is the caller's. */
export type InstancesFixture = Pick<CacheFixture, 'create' | 'dispose'>;

/**
 * The cases every L2 topology must pass with several instances: separate L1s, shared L2 and L3.
 * Each topology's spec calls this with a factory of its fixture.
 */
export function describeAcrossInstances(topology: string, createFixture: () => Promise<InstancesFixture>): void {
  describe(`TieredCache across instances (separate L1s, shared Redis and PostgreSQL) on ${topology}`, () => {
    let fx: InstancesFixture;
    beforeAll(async () => {
      fx = await createFixture();
    }, 60_000);
    afterAll(async () => fx.dispose());

    it('a tag invalidated on one instance is seen by the other in every tier', async () => {
      const a = await fx.create();
      const b = await fx.create();
      await a.set('mi:tagged', 'old', { tags: ['mi'] });
      expect(await b.get('mi:tagged')).toBe('old'); // now in b's L1 too
      await a.invalidateTags(['mi']);
      // L2 and L3 changed at once; L1 of b changes when the bus message lands.
      expect(await b.get('mi:tagged', { tiers: ['l2'] })).toBeUndefined();
      expect(await b.get('mi:tagged', { tiers: ['l3'] })).toBeUndefined();
      await until(async () => (await b.get('mi:tagged', { tiers: ['l1'] })) === undefined, 2_000);
    });

    it('a delete and a clear on one instance reach the other L1', async () => {
      const a = await fx.create();
      const b = await fx.create();
      await a.set('mi:del', 1);
      await a.set('mi:clr', 2);
      expect(await b.get('mi:del')).toBe(1);
      expect(await b.get('mi:clr')).toBe(2);
      await a.delete('mi:del');
      await until(async () => (await b.get('mi:del', { tiers: ['l1'] })) === undefined, 2_000);
      await a.clear();
      await until(async () => (await b.get('mi:clr', { tiers: ['l1'] })) === undefined, 2_000);
    });

    it('ignores its own bus messages', async () => {
      const a = await fx.create();
      await a.clear();
      await a.set('mi:own', 'kept');
      await sleep(50); // had a's own 'clear' come back, it would wipe a's L1 now
      expect(await a.get('mi:own')).toBe('kept');
      expect(a.stats().tiers.l1?.hits).toBe(1);
      expect(a.stats().bus).toBe('connected');
    });

    it('measures the bus delay for L1 invalidation on another instance (target p99 < 50 ms)', async () => {
      const a = await fx.create();
      const b = await fx.create();
      const delays: number[] = [];
      for (let trial = 0; trial < 40; trial++) {
        const key = `mi:delay:${trial}`;
        await a.set(key, trial, { tags: [`delay:${trial}`] });
        expect(await b.get(key)).toBe(trial);
        const started = performance.now();
        await a.invalidateTags([`delay:${trial}`]);
        // Polled every millisecond, so that the delay is measured finely.
        await waitFor(async () => (await b.get(key, { tiers: ['l1'] })) === undefined, (gone) => gone, 2_000, 1);
        delays.push(performance.now() - started);
      }
      const p50 = quantile(delays, 0.5);
      const p99 = quantile(delays, 0.99);
      console.log(`bus invalidation delay over ${delays.length} trials: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
      // A correctness bound, not a speed claim: the message must arrive, far inside the 1 min L1 cap.
      expect(p99).toBeLessThan(1_000);
    });
  });
}
