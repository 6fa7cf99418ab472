import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { uniqueName } from '../../../../test/support/isolation.js';
import { until } from '../../../../test/support/eventually.js';
import { TEST_DATABASE_URL } from '../../../../test/support/services.js';
import type { TieredCache } from '../core/tiered-cache.js';
import { parseInvalidationPayload, PostgresInvalidationListener } from './postgres-invalidation.listener.js';

describe('PostgresInvalidationListener', () => {
  let fx: CacheFixture;
  let cache: TieredCache;
  let listener: PostgresInvalidationListener;
  const channel = uniqueName('inval');
  const applied: string[][] = [];

  /** What a domain trigger does, in the writing transaction: stamp the tags, then notify. */
  async function writeOutsideTheApp(tags: string[]): Promise<void> {
    const client = await fx.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT "${fx.db.schema}".cache_invalidate_tags($1::text[])`, [tags]);
      await client.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ tags })]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  beforeAll(async () => {
    fx = await createCacheFixture('listener');
    cache = await fx.create();
    listener = new PostgresInvalidationListener({
      cache,
      channel,
      reconnectDelayMs: 50,
      createClient: () => new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: channel }),
      onApplied: (tags) => applied.push([...tags]),
    });
    await listener.start();
  });
  afterAll(async () => {
    await listener.stop();
    await fx.dispose();
  });

  it('applies a trigger notification to L1 and L2 within a second', async () => {
    await cache.set('ls:row', 'old', { tags: ['row:1'] });
    await writeOutsideTheApp(['row:1']);
    const elapsed = await until(async () => (await cache.get('ls:row')) === undefined);
    expect(elapsed).toBeLessThan(1_000);
    const cold = await fx.create();
    expect(await cold.get('ls:row', { tiers: ['l2'] })).toBeUndefined();
  });

  it('reconnects after its session is killed and catches up on what it missed', async () => {
    const pids = await fx.db.pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [channel],
    );
    expect(pids.rows.length).toBe(1);
    await cache.set('ls:gap', 'old', { tags: ['row:gap'] });
    await fx.db.pool.query('SELECT pg_terminate_backend($1)', [pids.rows[0]!.pid]);
    await until(async () => !listener.connected, 2_000);
    // Written while nobody listens: the notification is lost, the stamp is not.
    await writeOutsideTheApp(['row:gap']);
    await until(async () => listener.connected, 5_000);
    await until(async () => applied.some((tags) => tags.includes('row:gap')));
    expect(await (await fx.create()).get('ls:gap')).toBeUndefined();
    expect(await cache.get('ls:gap')).toBeUndefined();
  });

  it('catches up on a transaction that began long before the gap and committed during it', async () => {
    await cache.set('ls:long', 'old', { tags: ['row:long'] });
    const writer = await fx.db.pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`SELECT "${fx.db.schema}".cache_invalidate_tags($1::text[])`, [['row:long']]);
      await writer.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ tags: ['row:long'] })]);
      // Longer than any allowance a clock-based catch-up could make for `now()` being the start.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const pids = await fx.db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [channel]);
      await fx.db.pool.query('SELECT pg_terminate_backend($1)', [pids.rows[0]!.pid]);
      await until(async () => !listener.connected, 2_000);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    await until(async () => listener.connected, 5_000);
    await until(async () => (await (await fx.create({ memory: false })).get('ls:long')) === undefined, 3_000);
    expect(await cache.get('ls:long')).toBeUndefined();
  }, 20_000);

  it('does not re-invalidate, on a restart, tags another instance already applied', async () => {
    await writeOutsideTheApp(['row:applied']);
    await until(async () => applied.some((tags) => tags.includes('row:applied')));
    // Applied, and swept: nothing about the tag is pending any more.
    await until(async () => (await fx.db.pool.query(`SELECT 1 FROM "${fx.db.schema}".cache_tag_clock WHERE pending_stamp IS NOT NULL`)).rowCount === 0);
    await cache.set('ls:after', 'fresh', { tags: ['row:applied'] });
    const restarted = new PostgresInvalidationListener({
      cache: await fx.create(),
      channel,
      createClient: () => new pg.Client({ connectionString: TEST_DATABASE_URL }),
    });
    await restarted.start(); // catches up on the last hour, row:applied included
    await restarted.stop();
    expect(await (await fx.create()).get('ls:after')).toBe('fresh');
  });

  it('applies a burst of notifications in a few batches, none lost', async () => {
    const calls: number[] = [];
    const stop = cache.observe({ invalidation: (event) => event.source === 'db' && calls.push(event.tags) });
    try {
      const tags = Array.from({ length: 300 }, (_, i) => `burst:${i}`);
      await Promise.all(tags.map((tag) => fx.db.pool.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ tags: [tag] })])));
      await until(async () => calls.reduce((sum, n) => sum + n, 0) >= 300, 5_000);
      expect(calls.reduce((sum, n) => sum + n, 0)).toBe(300);
      expect(calls.length).toBeLessThan(300); // batched, not one call per notification
      const stamps = await cache.tiers()[1]!.tier.tagStamps(tags);
      expect([...stamps.values()].every((stamp) => stamp > 0)).toBe(true);
    } finally {
      stop();
    }
  });

  it('ignores payloads that are not ours', () => {
    expect(parseInvalidationPayload('not json')).toEqual([]);
    expect(parseInvalidationPayload('{"tags":"x"}')).toEqual([]);
    expect(parseInvalidationPayload('{"tags":["a",1,""]}')).toEqual(['a']);
  });
});
