import type pg from 'pg';
import type { ResolvedTrendsRetention } from './trends.options.js';
import { TREND_COUNTERS, utcHour } from './trends.schema.js';

/** What one rollup did. */
export interface TrendsRollupResult {
  /** Hour rows written (new or rewritten). */
  hoursRolledUp: number;
  minutesPruned: number;
  hoursPruned: number;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

const sums = TREND_COUNTERS.map((column) => (column === 'load_ms_max' ? `max(${column})` : `sum(${column})`)).join(', ');
const updates = TREND_COUNTERS.map((column) => `${column} = EXCLUDED.${column}`).join(', ');

/**
 * Whether the trend tables exist in the schema (`s` quoted): the cleanup skips the step without
 * them, so an app that never created them loses nothing.
 */
export async function trendTablesExist(db: Queryable, s: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok`,
    [`${s}.cache_stats_minute`, `${s}.cache_stats_hour`],
  );
  return rows[0]!.ok;
}

/**
 * Rolls finished hours up from their minutes (every namespace), then deletes minutes and hours
 * past retention. An hour is rolled up only while every one of its minutes is still kept (it
 * starts after `now - minuteRetention`), so a later run that finds fewer minutes never overwrites
 * a full hour with a partial one; rolling the same hour again writes the same row.
 */
export async function rollUpTrends(db: Queryable, s: string, retention: ResolvedTrendsRetention): Promise<TrendsRollupResult> {
  const minuteSeconds = retention.minuteRetentionMs / 1_000;
  const hourSeconds = retention.hourRetentionMs / 1_000;
  const rolled = await db.query(
    `INSERT INTO ${s}.cache_stats_hour (namespace, bucket, instances, ${TREND_COUNTERS.join(', ')})
     SELECT namespace, ${utcHour('bucket')}, count(DISTINCT instance_id), ${sums}
     FROM ${s}.cache_stats_minute
     WHERE bucket >= ${utcHour('now() - make_interval(secs => $1)')} + interval '1 hour'
       AND bucket < ${utcHour('now()')}
     GROUP BY namespace, ${utcHour('bucket')}
     ON CONFLICT (namespace, bucket) DO UPDATE SET instances = EXCLUDED.instances, ${updates}`,
    [minuteSeconds],
  );
  const minutes = await db.query(`DELETE FROM ${s}.cache_stats_minute WHERE bucket < now() - make_interval(secs => $1)`, [minuteSeconds]);
  const hours = await db.query(`DELETE FROM ${s}.cache_stats_hour WHERE bucket < now() - make_interval(secs => $1)`, [hourSeconds]);
  return { hoursRolledUp: rolled.rowCount ?? 0, minutesPruned: minutes.rowCount ?? 0, hoursPruned: hours.rowCount ?? 0 };
}
