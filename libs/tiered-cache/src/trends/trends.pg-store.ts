import type { OpsStore } from '../maintenance/ops-store.js';
import type { MinuteRow } from './minute-recorder.js';
import { COLUMN_FIELDS, emptyTrendCounters, type TrendCounters } from './trends.counters.js';
import { TREND_RANGE_SPECS, type TrendRange } from './trends.range.js';
import { TREND_COUNTERS, utcHour } from './trends.schema.js';

/** One point of a trend: the fleet's sum over one minute or hour. */
export interface TrendPoint extends TrendCounters {
  /** Start of the minute or hour. */
  at: string;
  /** Instances that wrote to it. */
  instances: number;
  /** `hits / reads`; `null` without reads. */
  hitRatio: number | null;
  /** Mean loader run time in ms; `null` without loads. */
  loadMsMean: number | null;
}

/** The body of `GET /admin/cache/trends`. */
export interface TrendSeries {
  range: TrendRange;
  resolution: 'minute' | 'hour';
  stepMs: number;
  from: string;
  to: string;
  /** Oldest first; minutes or hours without any row are left out. */
  points: TrendPoint[];
}

const sums = TREND_COUNTERS.map((column) => `${column === 'load_ms_max' ? 'max' : 'sum'}(${column})::float8 AS ${column}`).join(', ');

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function pointOf(row: Record<string, unknown>): TrendPoint {
  const counters = emptyTrendCounters();
  for (const column of TREND_COUNTERS) counters[COLUMN_FIELDS[column]] = Number(row[column] ?? 0);
  counters.loadMsTotal = round(counters.loadMsTotal, 3);
  counters.loadMsMax = round(counters.loadMsMax, 3);
  return {
    at: (row.bucket as Date).toISOString(),
    instances: Number(row.instances),
    ...counters,
    hitRatio: counters.reads > 0 ? round(counters.hits / counters.reads, 4) : null,
    loadMsMean: counters.loads > 0 ? round(counters.loadMsTotal / counters.loads, 3) : null,
  };
}

/** The stats history in PostgreSQL (`trendsSchemaSql`), in the pool and schema of the ops tables. */
export class PostgresTrendsStore {
  constructor(private readonly store: OpsStore) {}

  /**
   * Upserts this instance's minutes in one statement. Each row holds the minute's whole count, so
   * the row is replaced, not added to: writing the same minute twice leaves it right.
   */
  async writeMinutes(instanceId: string, rows: readonly MinuteRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { s, namespace } = this.store;
    const columns = TREND_COUNTERS.map((column) => COLUMN_FIELDS[column]);
    const params: unknown[] = [namespace, instanceId, rows.map((row) => new Date(row.bucket).toISOString())];
    for (const field of columns) params.push(rows.map((row) => row[field]));
    const unnest = TREND_COUNTERS.map((column, index) => `$${index + 4}::${column.startsWith('load_ms') ? 'float8' : 'int8'}[]`).join(', ');
    await this.store.pool.query(
      `INSERT INTO ${s}.cache_stats_minute (namespace, instance_id, bucket, ${TREND_COUNTERS.join(', ')})
       SELECT $1, $2, u.* FROM unnest($3::timestamptz[], ${unnest}) AS u
       ON CONFLICT (namespace, bucket, instance_id) DO UPDATE SET ${TREND_COUNTERS.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`,
      params,
    );
  }

  /**
   * The fleet's points over `range`, ending now (database clock). Hours come from
   * `cache_stats_hour` up to the last one rolled up, and from the minutes after it, so 7d and 30d
   * include the running hour without waiting for the cleanup.
   */
  async series(range: TrendRange): Promise<TrendSeries> {
    const spec = TREND_RANGE_SPECS[range];
    const { s, namespace } = this.store;
    const spanSeconds = spec.spanMs / 1_000;
    const sql =
      spec.resolution === 'minute'
        ? `SELECT bucket, count(*)::int AS instances, ${sums}
           FROM ${s}.cache_stats_minute
           WHERE namespace = $1 AND bucket > now() - make_interval(secs => $2)
           GROUP BY bucket`
        : `WITH rolled AS (SELECT max(bucket) AS last FROM ${s}.cache_stats_hour WHERE namespace = $1)
           SELECT bucket, instances, ${TREND_COUNTERS.map((column) => `${column}::float8 AS ${column}`).join(', ')}
           FROM ${s}.cache_stats_hour
           WHERE namespace = $1 AND bucket > now() - make_interval(secs => $2)
           UNION ALL
           SELECT ${utcHour('bucket')} AS bucket, count(DISTINCT instance_id)::int AS instances, ${sums}
           FROM ${s}.cache_stats_minute, rolled
           WHERE namespace = $1 AND bucket > now() - make_interval(secs => $2)
             AND (rolled.last IS NULL OR bucket >= rolled.last + interval '1 hour')
           GROUP BY ${utcHour('bucket')}`;
    const [{ rows }, clock] = await Promise.all([
      this.store.pool.query<Record<string, unknown>>(`${sql} ORDER BY bucket`, [namespace, spanSeconds]),
      this.store.pool.query<{ now: Date }>('SELECT now() AS now'),
    ]);
    const to = clock.rows[0]!.now;
    return {
      range,
      resolution: spec.resolution,
      stepMs: spec.stepMs,
      from: new Date(to.getTime() - spec.spanMs).toISOString(),
      to: to.toISOString(),
      points: rows.map(pointOf),
    };
  }
}
