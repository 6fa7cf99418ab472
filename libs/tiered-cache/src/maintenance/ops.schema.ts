import { quoteSchema } from '../tiers/postgres/postgres.schema.js';

/**
 * DDL of the operations tables, next to the L3 tables in the same schema. Idempotent.
 *
 * - `cache_cleanup_log`: one row per cleanup run that held the lock (see docs/operations.md).
 * - `cache_audit_log`: one row per admin action: who, what, parameters, result, when.
 * - `cache_admin_confirmations`: pending confirmation tokens of two-step admin actions (stored as
 *   SHA-256 hashes, single use), shared by all instances so the confirming call may land anywhere.
 */
export function opsSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.cache_cleanup_log (
  id               bigserial   PRIMARY KEY,
  started_at       timestamptz NOT NULL,
  finished_at      timestamptz NOT NULL DEFAULT now(),
  trigger          text        NOT NULL,
  instance_id      text        NOT NULL,
  status           text        NOT NULL,
  expired_deleted  bigint      NOT NULL DEFAULT 0,
  evicted_rows     bigint      NOT NULL DEFAULT 0,
  freed_bytes      bigint      NOT NULL DEFAULT 0,
  tags_purged      bigint      NOT NULL DEFAULT 0,
  logs_purged      bigint      NOT NULL DEFAULT 0,
  rows_after       bigint,
  bytes_after      bigint,
  duration_ms      integer     NOT NULL DEFAULT 0,
  error            text
);
CREATE INDEX IF NOT EXISTS cache_cleanup_log_started_at ON ${s}.cache_cleanup_log (started_at);

CREATE TABLE IF NOT EXISTS ${s}.cache_audit_log (
  id      bigserial   PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  who     text        NOT NULL,
  action  text        NOT NULL,
  params  jsonb       NOT NULL DEFAULT '{}'::jsonb,
  result  jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS cache_audit_log_at ON ${s}.cache_audit_log (at);

CREATE TABLE IF NOT EXISTS ${s}.cache_admin_confirmations (
  token_hash    text        PRIMARY KEY,
  action        text        NOT NULL,
  params        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  requested_by  text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz
);
CREATE INDEX IF NOT EXISTS cache_admin_confirmations_expires_at ON ${s}.cache_admin_confirmations (expires_at);
`;
}

/** Drops what {@link opsSchemaSql} created (a migration's `down`). */
export function dropOpsSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
DROP TABLE IF EXISTS ${s}.cache_admin_confirmations;
DROP TABLE IF EXISTS ${s}.cache_audit_log;
DROP TABLE IF EXISTS ${s}.cache_cleanup_log;
`;
}
