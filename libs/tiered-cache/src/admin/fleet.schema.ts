import { quoteSchema } from '../tiers/postgres/postgres.schema.js';

/**
 * DDL of the fleet heartbeat table, for caches without Redis (next to the L3 and ops tables, in
 * the same schema). Idempotent; run it from a migration as `opsSchemaSql` is.
 *
 * `cache_fleet_instances`: one row per instance and namespace, replaced by each heartbeat.
 * `expires_at` plays the part of a Redis TTL: readers ignore expired rows, writers delete them.
 */
export function fleetSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.cache_fleet_instances (
  namespace     text        NOT NULL,
  instance_id   text        NOT NULL,
  beat          jsonb       NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (namespace, instance_id)
);
CREATE INDEX IF NOT EXISTS cache_fleet_instances_expires_at ON ${s}.cache_fleet_instances (expires_at);
`;
}

/** Drops what {@link fleetSchemaSql} created (a migration's `down`). */
export function dropFleetSchemaSql(schema = 'public'): string {
  return `DROP TABLE IF EXISTS ${quoteSchema(schema)}.cache_fleet_instances;`;
}
