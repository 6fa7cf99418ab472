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
-- Set when a tag is stamped here and not (yet) on the clock tier (Redis): by a database trigger, or
-- while Redis was unreachable. Durable, so a restart loses nothing; every instance sweeps these rows
-- into Redis and clears them (docs/consistency.md, "Sweep").
ALTER TABLE ${s}.cache_tag_clock ADD COLUMN IF NOT EXISTS pending_stamp bigint;
CREATE INDEX IF NOT EXISTS cache_tag_clock_pending ON ${s}.cache_tag_clock (pending_stamp) WHERE pending_stamp IS NOT NULL;
-- The newest entry stamp, read by an index: an invalidation stamped here is never below it.
CREATE INDEX IF NOT EXISTS cache_entries_created_stamp ON ${s}.cache_entries (created_stamp);
-- Deletes (key '' for a clear of the namespace) that Redis missed because it was unreachable to the
-- instance that made them: durable, so a restart of that instance loses none; every instance sweeps
-- its namespace's rows into Redis and removes them (docs/consistency.md, "Pending work").
CREATE TABLE IF NOT EXISTS ${s}.cache_pending_deletes (
  namespace text   NOT NULL,
  key       text   NOT NULL,
  stamp     bigint NOT NULL,
  PRIMARY KEY (namespace, key)
);
-- A namespace's last clear: entries stamped at or before it are gone, even if a write that was
-- already on its way lands after the clear.
CREATE TABLE IF NOT EXISTS ${s}.cache_namespace_clock (
  namespace     text   PRIMARY KEY,
  cleared_stamp bigint NOT NULL
);
-- The PostgreSQL clock in microseconds: the tag clock when PostgreSQL is the clock source.
CREATE OR REPLACE FUNCTION ${s}.cache_clock_micros() RETURNS bigint
  LANGUAGE sql VOLATILE AS $fn$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint $fn$;
-- A stamp later than every entry stamp held here, whichever clock made it, and at least p_floor:
-- an invalidation or clear stamped with it covers every entry already in the table, even when
-- PostgreSQL's clock runs behind Redis's. The engine stamps so.
CREATE OR REPLACE FUNCTION ${s}.cache_covering_stamp(p_floor bigint DEFAULT 0) RETURNS bigint
  LANGUAGE sql VOLATILE AS $fn$
  SELECT greatest(p_floor, ${s}.cache_clock_micros(), coalesce((SELECT max(created_stamp) FROM ${s}.cache_entries), 0) + 1)
$fn$;
-- Stamps tags with p_stamp, never earlier than a tag's previous stamp, and returns the largest
-- stamp used. Without p_floor (the stamp Redis chose) the rows are marked pending for Redis
-- (docs/consistency.md, "Pending tags"). Rows are locked in tag order, so concurrent stamps of
-- overlapping tags cannot deadlock.
CREATE OR REPLACE FUNCTION ${s}.cache_stamp_tags(p_tags text[], p_floor bigint, p_stamp bigint) RETURNS bigint
  LANGUAGE sql VOLATILE AS $fn$
  WITH stamped AS (
    INSERT INTO ${s}.cache_tag_clock AS c (tag, stamp, invalidated_at, pending_stamp)
    SELECT t, p_stamp, now(), CASE WHEN p_floor > 0 THEN NULL ELSE p_stamp END
    FROM (SELECT DISTINCT t FROM unnest(p_tags) AS t ORDER BY t) AS tags
    ON CONFLICT (tag) DO UPDATE
      SET stamp = greatest(c.stamp + 1, excluded.stamp), invalidated_at = excluded.invalidated_at,
          pending_stamp = CASE WHEN p_floor > 0 THEN c.pending_stamp ELSE greatest(c.stamp + 1, excluded.stamp) END
    RETURNING c.stamp
  )
  SELECT coalesce(max(stamp), p_stamp) FROM stamped
$fn$;
-- What domain triggers call, in the writing transaction: PostgreSQL's clock, pending for Redis. It
-- reads nothing of cache_entries, so a missing or locked cache table never fails a domain write.
CREATE OR REPLACE FUNCTION ${s}.cache_invalidate_tags(p_tags text[], p_floor bigint DEFAULT 0) RETURNS bigint
  LANGUAGE sql VOLATILE AS $fn$ SELECT ${s}.cache_stamp_tags(p_tags, p_floor, greatest(p_floor, ${s}.cache_clock_micros())) $fn$;
`;
}

/** Drops what {@link cacheSchemaSql} created (used by the migration's `down`). */
export function dropCacheSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
DROP FUNCTION IF EXISTS ${s}.cache_invalidate_tags(text[], bigint);
DROP FUNCTION IF EXISTS ${s}.cache_covering_stamp(bigint);
DROP FUNCTION IF EXISTS ${s}.cache_stamp_tags(text[], bigint, bigint);
DROP TABLE IF EXISTS ${s}.cache_namespace_clock;
DROP TABLE IF EXISTS ${s}.cache_pending_deletes;
DROP FUNCTION IF EXISTS ${s}.cache_clock_micros();
DROP TABLE IF EXISTS ${s}.cache_tag_clock;
DROP TABLE IF EXISTS ${s}.cache_entries;
`;
}
