import { InvalidOptionError } from '../../core/errors.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes a schema name after checking it is a plain identifier. */
export function quoteSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) {
    throw new InvalidOptionError('schema', `must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`);
  }
  return `"${schema}"`;
}

/**
 * DDL of the L3 tier: the entry table, the tag clock, and the functions that read and advance the
 * clock. Idempotent. The migration in `migrations/` and the test kit both run this.
 */
export function cacheSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.cache_entries (
  namespace        text        NOT NULL,
  key              text        NOT NULL,
  value            bytea       NOT NULL,
  tags             text[]      NOT NULL DEFAULT '{}',
  created_stamp    bigint      NOT NULL,
  stale_at         timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  byte_size        integer     NOT NULL,
  hit_count        bigint      NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_accessed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, key)
);
CREATE INDEX IF NOT EXISTS cache_entries_tags_gin ON ${s}.cache_entries USING gin (tags);
CREATE INDEX IF NOT EXISTS cache_entries_expires_at ON ${s}.cache_entries (expires_at);
CREATE INDEX IF NOT EXISTS cache_entries_last_accessed_at ON ${s}.cache_entries (last_accessed_at);

CREATE TABLE IF NOT EXISTS ${s}.cache_tag_clock (
  tag            text        PRIMARY KEY,
  stamp          bigint      NOT NULL,
  invalidated_at timestamptz NOT NULL DEFAULT now()
);

-- The PostgreSQL clock in microseconds: the tag clock when PostgreSQL is the clock source.
CREATE OR REPLACE FUNCTION ${s}.cache_clock_micros() RETURNS bigint
  LANGUAGE sql VOLATILE AS $fn$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint $fn$;

-- Stamps tags and returns the largest stamp used. Without p_floor the stamp is PostgreSQL's clock
-- (domain triggers call it so, in the writing transaction); with p_floor it is p_floor, the stamp
-- the clock tier (Redis) chose, so both tiers hold the same value. Never earlier than a tag's
-- previous stamp.
CREATE OR REPLACE FUNCTION ${s}.cache_invalidate_tags(p_tags text[], p_floor bigint DEFAULT 0) RETURNS bigint
  LANGUAGE sql VOLATILE AS $fn$
  WITH stamped AS (
    INSERT INTO ${s}.cache_tag_clock AS c (tag, stamp, invalidated_at)
    SELECT DISTINCT t, CASE WHEN p_floor > 0 THEN p_floor ELSE ${s}.cache_clock_micros() END, now()
    FROM unnest(p_tags) AS t
    ON CONFLICT (tag) DO UPDATE
      SET stamp = greatest(c.stamp + 1, excluded.stamp), invalidated_at = excluded.invalidated_at
    RETURNING c.stamp
  )
  SELECT coalesce(max(stamp), CASE WHEN p_floor > 0 THEN p_floor ELSE ${s}.cache_clock_micros() END) FROM stamped
$fn$;
`;
}

/** Drops what {@link cacheSchemaSql} created (used by the migration's `down`). */
export function dropCacheSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
DROP FUNCTION IF EXISTS ${s}.cache_invalidate_tags(text[], bigint);
DROP FUNCTION IF EXISTS ${s}.cache_clock_micros();
DROP TABLE IF EXISTS ${s}.cache_tag_clock;
DROP TABLE IF EXISTS ${s}.cache_entries;
`;
}
