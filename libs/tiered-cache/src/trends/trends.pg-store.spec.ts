import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep } from '../../../../test/support/cache-fixture.js';
import { createTestSchema, type TestSchema } from '../../../../test/support/isolation.js';
import { InvalidOptionError } from '../core/errors.js';
import type { OpsStore } from '../maintenance/ops-store.js';
import { quoteSchema } from '../tiers/postgres/postgres.schema.js';
import { type MinuteRow } from './minute-recorder.js';
import { emptyTrendCounters } from './trends.counters.js';
import { resolveFlushInterval, resolveTrendsRetention } from './trends.options.js';
import { PostgresTrendsStore } from './trends.pg-store.js';
import { rollUpTrends, trendTablesExist } from './trends.rollup.js';
import { trendsSchemaSql } from './trends.schema.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const row = (bucket: number, reads: number, hits: number, extra: Partial<MinuteRow> = {}): MinuteRow => ({
  ...emptyTrendCounters(),
  bucket,
  reads,
  hits,
  l1Hits: hits,
  ...extra,
});

describe('trend options', () => {
  it('are validated, naming the option', () => {
    expect(resolveTrendsRetention()).toEqual({ minuteRetentionMs: 24 * HOUR, hourRetentionMs: 30 * 24 * HOUR });
    expect(() => resolveTrendsRetention({ minuteRetention: '30m' })).toThrow(InvalidOptionError);
    expect(() => resolveTrendsRetention({ minuteRetention: '30m' })).toThrow(/trends\.minuteRetention/);
    expect(() => resolveTrendsRetention({ hourRetention: '500d' })).toThrow(/trends\.hourRetention/);
    expect(() => resolveFlushInterval({ flushInterval: '2m' })).toThrow(/trends\.flushInterval/);
  });
});

describe('PostgresTrendsStore and rollUpTrends on PostgreSQL', () => {
  let db: TestSchema;
  let ops: (namespace: string) => OpsStore;
  /** The database clock's hour, read when it is not about to change, so the buckets below stay in place. */
  let hourStart: number;

  beforeAll(async () => {
    db = await createTestSchema('trends', { withCacheTables: false });
    await db.pool.query(trendsSchemaSql(db.schema));
    ops = (namespace) => ({ pool: db.pool, schema: db.schema, s: quoteSchema(db.schema), namespace });
    for (;;) {
      const { rows } = await db.pool.query<{ now: Date }>('SELECT now() AS now');
      const now = rows[0]!.now.getTime();
      hourStart = Math.floor(now / HOUR) * HOUR;
      if (now - hourStart < HOUR - 2 * MINUTE && now - hourStart > MINUTE) break;
      await sleep(1_000);
    }
  });
  afterAll(async () => db.drop());

  it('finds its tables, and not missing ones', async () => {
    expect(await trendTablesExist(db.pool, quoteSchema(db.schema))).toBe(true);
    expect(await trendTablesExist(db.pool, quoteSchema('t_no_such_schema'))).toBe(false);
  });

  it('replaces a minute written again (a retry), and sums the instances of each minute', async () => {
    const store = new PostgresTrendsStore(ops('ns_minutes'));
    const minute = hourStart; // this hour's first minute: within the last hour
    await store.writeMinutes('a', [row(minute, 5, 1)]);
    await store.writeMinutes('a', [row(minute, 8, 4, { loads: 2, loadMsTotal: 30, loadMsMax: 20, bytesWritten: 100 })]);
    await store.writeMinutes('a', [row(minute, 8, 4, { loads: 2, loadMsTotal: 30, loadMsMax: 20, bytesWritten: 100 })]);
    await store.writeMinutes('b', [row(minute, 2, 2, { loads: 1, loadMsTotal: 10, loadMsMax: 10 }), row(minute - 3 * HOUR, 50, 0)]);
    // Another namespace's rows are not counted.
    await new PostgresTrendsStore(ops('ns_other')).writeMinutes('a', [row(minute, 1_000, 0)]);

    const series = await store.series('1h');
    expect(series).toMatchObject({ range: '1h', resolution: 'minute', stepMs: MINUTE });
    expect(series.points).toHaveLength(1);
    expect(series.points[0]).toMatchObject({
      at: new Date(minute).toISOString(),
      instances: 2,
      reads: 10,
      hits: 6,
      hitRatio: 0.6,
      loads: 3,
      loadMsTotal: 40,
      loadMsMax: 20,
      loadMsMean: 13.333,
      bytesWritten: 100,
    });
    // Three hours back is outside 1h, inside 24h.
    expect((await store.series('24h')).points.map((point) => point.reads)).toEqual([50, 10]);
  });

  it('rolls finished hours up once all their minutes are kept, idempotently, and prunes past retention', async () => {
    const namespace = 'ns_rollup';
    const store = new PostgresTrendsStore(ops(namespace));
    const s = quoteSchema(db.schema);
    const twoHoursAgo = hourStart - 2 * HOUR;
    await store.writeMinutes('a', [row(twoHoursAgo + 5 * MINUTE, 10, 5), row(twoHoursAgo + 6 * MINUTE, 10, 5, { loadMsMax: 7, loads: 1, loadMsTotal: 7 }), row(hourStart - HOUR, 4, 4)]);
    await store.writeMinutes('b', [row(twoHoursAgo + 5 * MINUTE, 20, 0, { loadMsMax: 3, loads: 1, loadMsTotal: 3 }), row(hourStart + 1, 1, 1)]);
    await store.writeMinutes('a', [row(hourStart - 25 * HOUR, 99, 0)]); // past the 24 h of minutes
    await db.pool.query(`INSERT INTO ${s}.cache_stats_hour (namespace, bucket, instances, reads) VALUES ($1, $2, 1, 7), ($1, $3, 1, 7)`, [
      namespace,
      new Date(hourStart - 31 * 24 * HOUR), // past the 30 days of hours
      new Date(hourStart - 3 * 24 * HOUR), // rolled up earlier, kept
    ]);

    const retention = resolveTrendsRetention();
    const first = await rollUpTrends(db.pool, s, retention);
    // The minute 25 h back and the hour 31 days back go.
    expect(first.minutesPruned).toBe(1);
    expect(first.hoursPruned).toBe(1);
    const hours = async () =>
      (
        await db.pool.query<{ bucket: Date; instances: number; reads: string; hits: string; load_ms_max: number }>(
          `SELECT bucket, instances, reads, hits, load_ms_max FROM ${s}.cache_stats_hour WHERE namespace = $1 ORDER BY bucket`,
          [namespace],
        )
      ).rows.map((hour) => ({ at: hour.bucket.getTime(), instances: hour.instances, reads: Number(hour.reads), hits: Number(hour.hits), max: hour.load_ms_max }));
    const expected = [
      { at: hourStart - 3 * 24 * HOUR, instances: 1, reads: 7, hits: 0, max: 0 },
      { at: twoHoursAgo, instances: 2, reads: 40, hits: 10, max: 7 },
      { at: hourStart - HOUR, instances: 1, reads: 4, hits: 4, max: 0 },
    ];
    expect(await hours()).toEqual(expected);

    const second = await rollUpTrends(db.pool, s, retention);
    expect(second).toMatchObject({ minutesPruned: 0, hoursPruned: 0, hoursRolledUp: first.hoursRolledUp });
    expect(await hours()).toEqual(expected);

    // 7d: the hour rows, then the running hour from its minutes (not rolled up yet).
    const week = await store.series('7d');
    expect(week).toMatchObject({ resolution: 'hour', stepMs: HOUR });
    expect(week.points.map((point) => [point.at, point.reads, point.instances])).toEqual([
      [new Date(hourStart - 3 * 24 * HOUR).toISOString(), 7, 1],
      [new Date(twoHoursAgo).toISOString(), 40, 2],
      [new Date(hourStart - HOUR).toISOString(), 4, 1],
      [new Date(hourStart).toISOString(), 1, 1],
    ]);
  });

  it('never rewrites an hour whose first minutes may already be pruned', async () => {
    const namespace = 'ns_partial';
    const store = new PostgresTrendsStore(ops(namespace));
    const s = quoteSchema(db.schema);
    // With 2 h of minutes, the hour that began two hours ago is partly pruned: its row stays as rolled.
    const partial = hourStart - 2 * HOUR;
    await db.pool.query(`INSERT INTO ${s}.cache_stats_hour (namespace, bucket, instances, reads) VALUES ($1, $2, 3, 600)`, [namespace, new Date(partial)]);
    await store.writeMinutes('a', [row(partial + 59 * MINUTE, 1, 0), row(hourStart - 30 * MINUTE, 2, 0)]);
    await rollUpTrends(db.pool, s, resolveTrendsRetention({ minuteRetention: '2h' }));
    const { rows } = await db.pool.query<{ bucket: Date; reads: string }>(`SELECT bucket, reads FROM ${s}.cache_stats_hour WHERE namespace = $1 ORDER BY bucket`, [namespace]);
    expect(rows.map((hour) => [hour.bucket.getTime(), Number(hour.reads)])).toEqual([
      [partial, 600],
      [hourStart - HOUR, 2],
    ]);
  });

  it('cuts UTC hours whatever the session time zone (half-hour offsets included)', async () => {
    const namespace = 'ns_zone';
    const store = new PostgresTrendsStore(ops(namespace));
    const s = quoteSchema(db.schema);
    await store.writeMinutes('a', [row(hourStart - HOUR + 40 * MINUTE, 3, 0), row(hourStart - HOUR + 10 * MINUTE, 2, 0)]);
    const client = await db.pool.connect();
    try {
      await client.query(`SET TIME ZONE 'Asia/Kolkata'`);
      await rollUpTrends(client, s, resolveTrendsRetention());
    } finally {
      await client.query('RESET TIME ZONE');
      client.release();
    }
    const { rows } = await db.pool.query<{ bucket: Date; reads: string }>(`SELECT bucket, reads FROM ${s}.cache_stats_hour WHERE namespace = $1`, [namespace]);
    expect(rows.map((hour) => [hour.bucket.getTime(), Number(hour.reads)])).toEqual([[hourStart - HOUR, 5]]);
  });
});
