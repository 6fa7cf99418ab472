import { quoteSchema } from '../tiers/postgres/postgres.schema.js';

/**
 * DDL of `cache_policies`, next to the L3 and ops tables in the same schema. Idempotent; run it
 * from a migration as `opsSchemaSql` is.
 *
 * One row per policy and namespace. A policy matches a key prefix or a tag, never both nor
 * neither (the CHECK), and one match has at most one policy per namespace (the unique indexes).
 * Durations are kept as the operator wrote them (`'30s'`, `1500`), parsed by every instance.
 */
export function policiesSchemaSql(schema = 'public'): string {
  const s = quoteSchema(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.cache_policies (
  id            bigserial   PRIMARY KEY,
  namespace     text        NOT NULL,
  match_prefix  text,
  match_tag     text,
  ttl           text,
  grace         text,
  tiers         text[],
  disabled      boolean     NOT NULL DEFAULT false,
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text        NOT NULL,
  CONSTRAINT cache_policies_one_match CHECK ((match_prefix IS NULL) <> (match_tag IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS cache_policies_prefix ON ${s}.cache_policies (namespace, match_prefix) WHERE match_prefix IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS cache_policies_tag ON ${s}.cache_policies (namespace, match_tag) WHERE match_tag IS NOT NULL;
`;
}

/** Drops what {@link policiesSchemaSql} created (a migration's `down`). */
export function dropPoliciesSchemaSql(schema = 'public'): string {
  return `DROP TABLE IF EXISTS ${quoteSchema(schema)}.cache_policies;`;
}
