import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { MAX_PENDING_MINUTES, MINUTE_MS, MinuteRecorder } from './minute-recorder.js';

describe('MinuteRecorder on a three-tier cache', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('minute_recorder');
  });
  afterAll(async () => fx.dispose());

  it('counts reads, hits per tier, loads and bytes in the minute they happen, and forgets a minute once written and over', async () => {
    const writer = await fx.create();
    const cache = await fx.create();
    let now = 100 * MINUTE_MS + 5_000;
    const recorder = new MinuteRecorder(() => now);
    cache.observe(recorder.observer);

    await cache.getOrSet('a', async () => 'x'.repeat(50)); // miss, load, write
    await cache.getOrSet('a', async () => 'never'); // L1 hit
    await writer.set('b', 1);
    await cache.get('b'); // L2 hit
    let [minute] = recorder.pending();
    expect(minute).toMatchObject({ bucket: 100 * MINUTE_MS, reads: 3, hits: 2, l1Hits: 1, l2Hits: 1, l3Hits: 0, loads: 1, writes: 1 });
    expect(minute!.bytesWritten).toBeGreaterThan(50);

    // Written while the minute runs: kept, and the next write carries its whole count.
    recorder.written(recorder.pending());
    await cache.get('a');
    [minute] = recorder.pending();
    expect(minute).toMatchObject({ bucket: 100 * MINUTE_MS, reads: 4, l1Hits: 2 });

    now += MINUTE_MS;
    await cache.get('a');
    const rows = recorder.pending();
    expect(rows.map((row) => [row.bucket, row.reads])).toEqual([
      [100 * MINUTE_MS, 4],
      [101 * MINUTE_MS, 1],
    ]);
    recorder.written(rows);
    expect(recorder.pending().map((row) => row.bucket)).toEqual([101 * MINUTE_MS]);
  });

  it('keeps at most MAX_PENDING_MINUTES minutes while nothing is written, dropping the oldest', async () => {
    const cache = await fx.create({ redis: undefined, postgres: undefined });
    let now = 0;
    const recorder = new MinuteRecorder(() => now);
    cache.observe(recorder.observer);
    for (let minute = 0; minute < MAX_PENDING_MINUTES + 5; minute++) {
      now = minute * MINUTE_MS;
      await cache.get('k');
    }
    const pending = recorder.pending();
    expect(pending).toHaveLength(MAX_PENDING_MINUTES);
    expect(pending[0]!.bucket).toBe(5 * MINUTE_MS);
  });
});
