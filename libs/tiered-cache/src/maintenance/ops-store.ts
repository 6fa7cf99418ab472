import type pg from 'pg';
import type { TieredCache } from '../core/tiered-cache.js';
import { quoteSchema } from '../tiers/postgres/postgres.schema.js';
import { PostgresTier } from '../tiers/postgres/postgres.tier.js';

/** Where the operations tables live: by default the cache's L3 pool and schema. */
export interface OpsStorageOptions {
  /** Pool holding `cache_entries` and the ops tables. Default: the cache's L3 pool. */
  pool?: pg.Pool;
  /** Their schema. Default: the cache's L3 schema, else `public`. */
  schema?: string;
}

export interface OpsStore {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The schema, quoted for SQL. */
  readonly s: string;
  /** The namespace of the cache (rows of other namespaces share the table). */
  readonly namespace: string;
}

/** The cache's L3 tier, if it has one. */
export function l3Tier(cache: TieredCache): PostgresTier | undefined {
  const found = cache.tiers().find((entry) => entry.tier instanceof PostgresTier);
  return found?.tier as PostgresTier | undefined;
}

/** Resolves the ops storage, or `undefined` when there is no pool to use. */
export function resolveOpsStore(cache: TieredCache, options: OpsStorageOptions = {}): OpsStore | undefined {
  const l3 = l3Tier(cache);
  const pool = options.pool ?? l3?.pool;
  if (!pool) return undefined;
  const schema = options.schema ?? l3?.schema ?? 'public';
  return { pool, schema, s: quoteSchema(schema), namespace: cache.namespace };
}
