import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { uniqueName } from '../../../../test/support/isolation.js';
import { RedisProcess } from '../../../../test/support/redis-process.js';
import { TEST_REDIS_URL } from '../../../../test/support/services.js';
import { RedisStreamQueue } from './redis-stream.queue.js';
import { WriteBehindInputError, WriteBehindUnavailableError } from './write-behind.errors.js';
import { WriteBehindFlusher } from './write-behind.flusher.js';
import { WriteBehind } from './write-behind.js';
import type { CoalescedRow } from './write-behind.types.js';

/** A row of the test table: watch position, kept at its maximum. */
interface Position {
  readonly seconds: number;
}
const maxima = (a: Position, b: Position): Position => ({ seconds: Math.max(a.seconds, b.seconds) });

describe('write-behind on a Redis Stream, flushed into PostgreSQL', () => {
  let fx: CacheFixture;
  let client: Redis;
  const batches: Array<readonly CoalescedRow<Position>[]> = [];

  beforeAll(async () => {
    fx = await createCacheFixture('wb');
    client = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    await fx.db.pool.query(`CREATE TABLE positions (row_key text PRIMARY KEY, seconds int NOT NULL, last_at timestamptz NOT NULL)`);
  });
  afterAll(async () => {
    client.disconnect();
    await fx.dispose();
  });

  /** Idempotent: keeps the maxima, and the time is the write's, not the flush's. */
  async function writer(rows: readonly CoalescedRow<Position>[]): Promise<void> {
    batches.push(rows);
    await fx.db.pool.query(
      `INSERT INTO positions AS p (row_key, seconds, last_at)
       SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[])
       ON CONFLICT (row_key) DO UPDATE SET seconds = greatest(p.seconds, excluded.seconds), last_at = greatest(p.last_at, excluded.last_at)`,
      [rows.map((r) => r.rowKey), rows.map((r) => r.value.seconds), rows.map((r) => new Date(r.lastAcceptedAt))],
    );
  }

  async function load(rowKey: string): Promise<Position | undefined> {
    const { rows } = await fx.db.pool.query<Position>('SELECT seconds FROM positions WHERE row_key = $1', [rowKey]);
    return rows[0];
  }

  async function stored(): Promise<Record<string, { seconds: number; last_at: string }>> {
    const { rows } = await fx.db.pool.query<{ row_key: string; seconds: number; last_at: Date }>('SELECT * FROM positions ORDER BY row_key');
    return Object.fromEntries(rows.map((r) => [r.row_key, { seconds: r.seconds, last_at: r.last_at.toISOString() }]));
  }

  function queue(name = 'q'): RedisStreamQueue<Position> {
    return new RedisStreamQueue<Position>({ client, stream: `${fx.redis.prefix}${uniqueName(name)}` });
  }

  function flusher(q: RedisStreamQueue<Position>, extra: Partial<ConstructorParameters<typeof WriteBehindFlusher<Position>>[0]> = {}) {
    return new WriteBehindFlusher<Position>({ queue: q, client, merge: maxima, writer, ...extra });
  }

  it('acknowledges a write before PostgreSQL has it, shows it to reads on another instance, then flushes it coalesced', async () => {
    const q = queue();
    const a = new WriteBehind<Position>({ queue: q, cache: await fx.create(), merge: maxima, cacheKey: (k) => `pos:${k}`, load });
    const b = new WriteBehind<Position>({ queue: q, cache: await fx.create(), merge: maxima, cacheKey: (k) => `pos:${k}`, load });
    const key = uniqueName('row');
    expect(await a.write(key, { seconds: 10 })).toEqual({ seconds: 10 });
    expect(await b.write(key, { seconds: 5 })).toEqual({ seconds: 10 });
    expect(await a.write(key, { seconds: 30 })).toEqual({ seconds: 30 });
    expect(await load(key)).toBeUndefined();
    expect(await b.read(key)).toEqual({ seconds: 30 });
    expect(await q.backlog()).toMatchObject({ size: 3 });

    const outcome = await flusher(q).flushOnce();
    expect(outcome).toEqual({ status: 'flushed', writes: 3, rows: 1 });
    expect(batches.at(-1)).toEqual([expect.objectContaining({ rowKey: key, value: { seconds: 30 }, writes: 3 })]);
    expect(await load(key)).toEqual({ seconds: 30 });
    expect(await q.backlog()).toEqual({ size: 0, lagSeconds: 0 });
    expect(await b.read(key)).toEqual({ seconds: 30 });
  });

  it('replays a batch applied but not acknowledged, and the replay changes nothing', async () => {
    const q = queue();
    for (let i = 1; i <= 4; i++) await q.append(`replay:${i % 2}`, { seconds: i * 10 });
    let crash = true;
    const crashing = flusher(q, {
      beforeAck: async () => {
        if (crash) throw new Error('killed before XACK');
      },
    });
    await expect(crashing.flushOnce()).rejects.toThrow('killed before XACK');
    expect(crashing.stats()).toMatchObject({ errors: 1, flushedWrites: 0 });
    const afterFirstApply = await stored();
    expect(afterFirstApply).toMatchObject({ 'replay:0': { seconds: 40 }, 'replay:1': { seconds: 30 } });
    expect(await q.backlog()).toMatchObject({ size: 4 });

    // The same consumer retries its own unacknowledged entries.
    crash = false;
    await expect(crashing.flushOnce()).resolves.toEqual({ status: 'flushed', writes: 4, rows: 2 });
    expect(await stored()).toEqual(afterFirstApply);
    expect(await q.backlog()).toMatchObject({ size: 0 });
  });

  it('takes over the entries of a dead flusher once they have been idle past claimIdleMs', async () => {
    const q = queue();
    await q.append('dead:1', { seconds: 7 });
    const dead = flusher(q, {
      leaseTtlMs: 200,
      writer: async () => {
        throw new Error('dies holding the batch');
      },
    });
    await expect(dead.flushOnce()).rejects.toThrow('dies holding the batch');
    const heir = flusher(q, { claimIdleMs: 100 });
    // Polled: the lease expires and the entry becomes idle enough on the Redis clock.
    const deadline = Date.now() + 10_000;
    let outcome = await heir.flushOnce();
    while (!(outcome.status === 'flushed' && outcome.writes === 1) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = await heir.flushOnce();
    }
    expect(outcome).toEqual({ status: 'flushed', writes: 1, rows: 1 });
    expect(await load('dead:1')).toEqual({ seconds: 7 });
  });

  it('lets one flusher run at a time', async () => {
    const q = queue();
    const first = flusher(q);
    const second = flusher(q);
    expect(await first.flushOnce()).toMatchObject({ status: 'flushed' });
    expect(await second.flushOnce()).toEqual({ status: 'skipped', reason: 'another flusher holds the lease' });
    await first.stop();
    expect(await second.flushOnce()).toMatchObject({ status: 'flushed' });
    await second.stop();
  });

  it('flushes in the background until stopped', async () => {
    const q = queue();
    const running = flusher(q, { intervalMs: 20 });
    running.start();
    try {
      for (let i = 1; i <= 50; i++) await q.append(`bg:${i % 5}`, { seconds: i });
      const deadline = Date.now() + 10_000;
      while ((await q.backlog()).size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await q.backlog()).toMatchObject({ size: 0 });
      expect(await load('bg:0')).toEqual({ seconds: 50 });
      expect(running.stats()).toMatchObject({ flushedWrites: 50, errors: 0 });
    } finally {
      await running.stop();
    }
  });

  it('reports the lag as the age of the oldest unflushed write', async () => {
    const q = queue();
    expect(await q.backlog()).toEqual({ size: 0, lagSeconds: 0 });
    await q.append('lag:1', { seconds: 1 });
    const deadline = Date.now() + 10_000;
    let backlog = await q.backlog();
    while (backlog.lagSeconds < 0.2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      backlog = await q.backlog();
    }
    expect(backlog.size).toBe(1);
    expect(backlog.lagSeconds).toBeGreaterThanOrEqual(0.2);
  });

  it('refuses bad input with a typed error naming the field', async () => {
    const q = queue();
    await expect(q.append('', { seconds: 1 })).rejects.toThrow(new WriteBehindInputError('rowKey', 'must be a non-empty string'));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(q.append('x', circular as unknown as Position)).rejects.toBeInstanceOf(WriteBehindInputError);
    expect(await q.backlog()).toMatchObject({ size: 0 });
  });

  describe('with its Redis down', () => {
    let server: RedisProcess;
    let own: Redis;
    beforeAll(async () => {
      server = await RedisProcess.start();
      own = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    });
    afterAll(async () => {
      own.disconnect();
      await server.stop();
    });

    it('refuses the write with WriteBehindUnavailableError and leaves the cache as it was', async () => {
      const q = new RedisStreamQueue<Position>({ client: own, stream: 'wb:down', appendTimeoutMs: 500 });
      const wb = new WriteBehind<Position>({ queue: q, cache: await fx.create(), merge: maxima, cacheKey: (k) => `down:${k}`, load });
      expect(await wb.write('down:1', { seconds: 5 })).toEqual({ seconds: 5 });
      await server.stop();
      await expect(wb.write('down:1', { seconds: 99 })).rejects.toBeInstanceOf(WriteBehindUnavailableError);
      await expect(wb.write('down:1', { seconds: 99 })).rejects.toThrow(/Write-behind queue "wb:down" is unavailable, the write was not accepted/);
      expect(await wb.read('down:1')).toEqual({ seconds: 5 });
      await server.start();
      // The refused writes were not kept anywhere to land later.
      const deadline = Date.now() + 10_000;
      while (own.status !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await own.xlen('wb:down')).toBe(0);
    });
  });
});
