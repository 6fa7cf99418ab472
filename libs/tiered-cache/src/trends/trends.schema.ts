import { quoteSchema } from '../tiers/postgres/postgres.schema.js';

/**
 * The UTC hour a `timestamptz` falls in, as SQL. `date_trunc` alone truncates in the session's
 * time zone, which in a zone offset by half an hour would cut hours the clients do not.
 */
export function utcHour(expression: string): string {
  return `(date_trunc('hour', (${expression}) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
}

/** The counter columns both trend tables share, in this order. */
export const TREND_COUNTERS = ['reads', 'hits', 'l1_hits', 'l2_hits', 'l3_hits', 'errors', 'loads', 'load_errors', 'load_ms_total', 'load_ms_max', 'writes', 'bytes_written'] as const;
export type TrendCounterColumn = (typeof TREND_COUNTERS)[number];

const counterColumns = TREND_COUNTERS.map((column) => `  ${column} ${column.startsWith('load_ms') ? 'double precision' : 'bigint'} NOT NULL DEFAULT 0,`).join('\n');

/**
 * DDL of the stats history (docs/trends.md), next to the ops tables. Idempotent; run it from a
 * migration as `opsSchemaSql` is.
 *
 * `cache_stats_minute`: one row per namespace, instance and minute, upserted by that instance
 * while the minute runs (each write carries the minute's whole count, so a retry changes nothing).
 * `cache_stats_hour`: one row per namespace and hour, the fleet's sum of the minutes, written by
 * the scheduled cleanup once the hour is over.
 */
export function trendsSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.cache_stats_minute (
  namespace   text        NOT NULL,
  instance_id text        NOT NULL,
  bucket      timestamptz NOT NULL,
${counterColumns}
  PRIMARY KEY (namespace, bucket, instance_id)
);
CREATE INDEX IF NOT EXISTS cache_stats_minute_bucket ON ${s}.cache_stats_minute (bucket);

CREATE TABLE IF NOT EXISTS ${s}.cache_stats_hour (
  namespace   text        NOT NULL,
  bucket      timestamptz NOT NULL,
  instances   integer     NOT NULL DEFAULT 0,
${counterColumns}
  PRIMARY KEY (namespace, bucket)
);
CREATE INDEX IF NOT EXISTS cache_stats_hour_bucket ON ${s}.cache_stats_hour (bucket);
`;
}

/** Drops what {@link trendsSchemaSql} created (a migration's `down`). */
export function dropTrendsSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `DROP TABLE IF EXISTS ${s}.cache_stats_minute; DROP TABLE IF EXISTS ${s}.cache_stats_hour;`;
}
