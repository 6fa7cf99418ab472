import type pg from 'pg';
import { KEYS, rowTag } from './keyspace.js';

/**
 * The data the loaders cache: one row per key, `(id, version, tag, writer)`. An UPDATE made outside
 * the app (`writer = 'sql'`, {@link SourceTable.bump}) fires a trigger that, as the app's migrations
 * do (migrations/*cache-invalidation-triggers*), stamps the row's tag through
 * `cache_invalidate_tags()` and `pg_notify`s it in the same transaction, so the commit is the
 * acknowledgement. The channel is private to the schema: other suites running at the same time
 * listen on the default one.
 *
 * An app write (`writer = 'app'`, {@link SourceTable.write}) is skipped by the trigger (its `WHEN`
 * clause): the app invalidates its own writes through `invalidateTags()` (the `@InvalidateTags`
 * decorator), so its acknowledgement is that call's, and the trigger's database window must not
 * cover it. A column the statement sets, rather than a session setting, so the choice is visible
 * in the row and needs no transaction of its own.
 *
 * It is read and written over a direct pool, not through the fault proxy: it is the source of
 * truth, outside the system under test, so a loader's version is exactly what was committed, and an
 * update is either committed (acknowledged) or not, never unknown because the proxy cut it.
 */
export class SourceTable {
  constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
    readonly channel: string,
  ) {}

  /** @param options.invalidate false leaves the trigger's body out, to prove the checker sees it. */
  static async create(pool: pg.Pool, schema: string, options: { invalidate?: boolean } = {}): Promise<SourceTable> {
    const s = `"${schema}"`;
    const channel = `chaos_${schema}`;
    const invalidate = options.invalidate === false ? 'NULL;' : `PERFORM ${s}.cache_invalidate_tags(ARRAY[NEW.tag]);
          PERFORM pg_notify('${channel}', json_build_object('tags', json_build_array(NEW.tag))::text);`;
    await pool.query(`
      CREATE TABLE ${s}.chaos_source (id int PRIMARY KEY, version int NOT NULL, tag text, writer text NOT NULL DEFAULT 'sql');
      CREATE FUNCTION ${s}.chaos_source_invalidate() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF NEW.tag IS NOT NULL THEN
          ${invalidate}
        END IF;
        RETURN NEW;
      END $fn$;
      CREATE TRIGGER chaos_source_invalidate AFTER UPDATE ON ${s}.chaos_source
        FOR EACH ROW WHEN (NEW.writer = 'sql') EXECUTE FUNCTION ${s}.chaos_source_invalidate();
    `);
    for (let key = 0; key < KEYS; key++) await pool.query(`INSERT INTO ${s}.chaos_source (id, version, tag) VALUES ($1, 1, $2)`, [key, rowTag(key)]);
    return new SourceTable(pool, schema, channel);
  }

  async read(key: number): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>(`SELECT version FROM "${this.schema}".chaos_source WHERE id = $1`, [key]);
    return rows[0]!.version;
  }

  /** Commits the next version of the row, through the trigger; resolves after COMMIT with that version. */
  bump(key: number): Promise<number> {
    return this.next(key, 'sql');
  }

  /** Commits the next version of the row as the app does, without the trigger; resolves after COMMIT. */
  write(key: number): Promise<number> {
    return this.next(key, 'app');
  }

  private async next(key: number, writer: 'sql' | 'app'): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>(
      `UPDATE "${this.schema}".chaos_source SET version = version + 1, writer = $2 WHERE id = $1 RETURNING version`,
      [key, writer],
    );
    return rows[0]!.version;
  }

  /**
   * Skews PostgreSQL's cache clock (the stamp a trigger writes, and L3's clock) by `offsetMs`, by
   * replacing `cache_clock_micros()` (libs/tiered-cache/src/tiers/postgres/postgres.schema.ts).
   */
  async skewClock(offsetMs: number): Promise<void> {
    await this.pool.query(`CREATE OR REPLACE FUNCTION "${this.schema}".cache_clock_micros() RETURNS bigint
      LANGUAGE sql VOLATILE AS $fn$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + ${Math.round(offsetMs * 1000)} $fn$`);
  }
}
