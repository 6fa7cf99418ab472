import type pg from 'pg';
import { TieredCacheError } from '../../core/errors.js';
import { cacheSchemaSql } from './postgres.schema.js';

/** What the L3 tier reads and writes; `pending_stamp` came with the consistency migration, so its absence marks an older schema. */
const REQUIRED_TABLES = ['cache_entries', 'cache_tag_clock', 'cache_pending_deletes', 'cache_namespace_clock'] as const;
const REQUIRED_COLUMN = { table: 'cache_tag_clock', column: 'pending_stamp' } as const;
/** Serializes table creation across instances starting at once. */
const SETUP_LOCK_KEY = 7_236_001;

/** The L3 tables are missing or older than this version of the library. */
export class MissingCacheTablesError extends TieredCacheError {
  constructor(
    readonly schema: string,
    readonly missing: readonly string[],
  ) {
    super(
      `The L3 cache tables in schema "${schema}" are missing or outdated (${missing.join(', ')}). ` +
        'Create them with the SQL of cacheSchemaSql(schema) in a migration, or set postgres.createTables: true.',
    );
  }
}

/** What of the L3 schema is missing, empty when nothing is. */
export async function missingCacheObjects(pool: pg.Pool, schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ name: string; present: boolean }>(
    `SELECT t AS name, to_regclass(format('%I.%I', $1::text, t)) IS NOT NULL AS present FROM unnest($2::text[]) AS t
     UNION ALL
     SELECT $3 || '.' || $4, EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $3 AND column_name = $4)`,
    [schema, REQUIRED_TABLES, REQUIRED_COLUMN.table, REQUIRED_COLUMN.column],
  );
  return rows.filter((row) => !row.present).map((row) => row.name);
}

/**
 * Checks the L3 schema at start-up; with `create`, creates (or completes) it first, one instance at
 * a time. The DDL is idempotent.
 * @throws MissingCacheTablesError when something is missing and `create` is off.
 */
export async function prepareCacheSchema(pool: pg.Pool, schema: string, create: boolean): Promise<void> {
  if ((await missingCacheObjects(pool, schema)).length === 0) return;
  if (create) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_KEY]);
      await client.query(cacheSchemaSql(schema));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  const missing = await missingCacheObjects(pool, schema);
  if (missing.length > 0) throw new MissingCacheTablesError(schema, missing);
}
