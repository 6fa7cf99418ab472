import type pg from 'pg';
import type { CacheEntry } from '../../core/entry.js';
import { v8Serializer, type Serializer } from '../../core/serializer.js';
import { PayloadCodec } from '../../security/payload-codec.js';
import { payloadIdentity } from '../../security/payload-seal.js';
import { loadPg } from '../optional-peer.js';
import type { Tier, TierReadResult, TierWrite } from '../tier.js';
import { HitCounter } from './hit-counter.js';
import { quoteSchema } from './postgres.schema.js';
import { prepareCacheSchema } from './postgres.setup.js';
import { postgresSslOption, type PostgresTlsOptions } from './postgres-tls.js';

export interface PostgresTierOptions {
  /** A pg pool to use. The tier does not end a pool it was given. */
  pool?: pg.Pool;
  /** Connection string when no pool is given; `sslmode`/`sslrootcert` in it are honoured. */
  connectionString?: string;
  /**
   * TLS of the pool the tier builds from `connectionString`: CA, client certificate and key,
   * `servername`, `rejectUnauthorized` (default true). Not with TLS parameters in the connection
   * string, nor with a given pool. Checked at construction. See docs/tls.md.
   */
  ssl?: PostgresTlsOptions;
  /** Schema holding `cache_entries` and `cache_tag_clock`. Default `public`. */
  schema?: string;
  /**
   * Create the cache tables and functions at start-up when they are missing (idempotent, one
   * instance at a time). Default false: then missing tables fail start-up with
   * `MissingCacheTablesError`, and you run `cacheSchemaSql(schema)` in your migrations.
   */
  createTables?: boolean;
  /** Namespace of this cache; `clear()` removes only its rows. Default `default`. */
  namespace?: string;
  /**
   * Per-query timeout, on every query, also on a pool the tier was given (a shared pool usually has
   * none): a locked or hung L3 fails fast and opens the breaker instead of holding requests. Default
   * 500 ms: a cache read slower than that is not worth waiting for.
   */
  queryTimeoutMs?: number;
  /**
   * Send the hot statements (read, write, tag stamps) as named prepared statements, planned once
   * per connection: an L3 hit costs a fraction of an unnamed query. Turn off behind a pooler that
   * cannot keep prepared statements (PgBouncer in transaction mode before 1.21). Default true.
   */
  preparedStatements?: boolean;
  /** How often hit counts are written. Default 5 s. */
  hitFlushIntervalMs?: number;
  serializer?: Serializer;
  /**
   * Seals and opens stored payloads (size bound, integrity, encryption). Built by the engine from
   * its options; without it, payloads are the serializer's bytes.
   */
  codec?: PayloadCodec;
}

type StatementName =
  | 'read'
  | 'readMany'
  | 'writeMany'
  | 'write'
  | 'remove'
  | 'removeIfUnchanged'
  | 'stamp'
  | 'stamps'
  | 'clock'
  | 'clear'
  | 'hits'
  | 'pending'
  | 'synced'
  | 'queueDeletes'
  | 'pendingDeletes'
  | 'doneDeletes';
/** The hot statements, sent as named prepared statements. */
type PreparedName = 'read' | 'write' | 'stamps';

interface EntryRow {
  value: Buffer | null;
  created_stamp: string | null;
  stale_at: number | null;
  expires_at: number | null;
  tags: string[] | null;
  tag_stamps: string[] | null;
  clock: string;
}

/** L3: a PostgreSQL table. Durable and large; survives a Redis flush. */
export class PostgresTier implements Tier {
  readonly name = 'l3' as const;
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly createTables: boolean;
  readonly namespace: string;
  private readonly ownsPool: boolean;
  private readonly codec: PayloadCodec;
  private readonly hits: HitCounter;
  private readonly sql: Record<StatementName, string>;
  private readonly prepared: Partial<Record<PreparedName, string>>;
  private readonly queryTimeoutMs: number;

  constructor(options: PostgresTierOptions) {
    if (!options.pool && !options.connectionString) throw new Error('PostgresTier needs a pool or a connectionString');
    this.ownsPool = !options.pool;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 500;
    const ssl = postgresSslOption(options); // refuses a bad TLS setting before anything connects
    this.pool = options.pool ?? new (loadPg('The postgres option (L3)').Pool)({ connectionString: options.connectionString, max: 10, ...ssl });
    this.schema = options.schema ?? 'public';
    this.createTables = options.createTables === true;
    this.namespace = options.namespace ?? 'default';
    this.codec = options.codec ?? new PayloadCodec(options.serializer ?? v8Serializer, undefined);
    const s = quoteSchema(this.schema);
    this.sql = {
      read: `SELECT e.value, e.created_stamp::text AS created_stamp,
          extract(epoch FROM e.stale_at)::float8 * 1000 AS stale_at,
          extract(epoch FROM e.expires_at)::float8 * 1000 AS expires_at, e.tags,
          ARRAY(SELECT coalesce(c.stamp, 0)::text FROM unnest(e.tags) WITH ORDINALITY AS u(tag, i)
                LEFT JOIN ${s}.cache_tag_clock c ON c.tag = u.tag ORDER BY u.i) AS tag_stamps,
          ${s}.cache_clock_micros()::text AS clock
        FROM (SELECT 1) AS one
        LEFT JOIN ${s}.cache_entries e ON e.namespace = $1 AND e.key = $2 AND e.expires_at > now()
          AND e.created_stamp > coalesce((SELECT n.cleared_stamp FROM ${s}.cache_namespace_clock n WHERE n.namespace = $1), 0)`,
      // The same row filter as `read`, for every key of $2 at once: one row per key asked, in order.
      readMany: `SELECT e.value, e.created_stamp::text AS created_stamp,
          extract(epoch FROM e.stale_at)::float8 * 1000 AS stale_at,
          extract(epoch FROM e.expires_at)::float8 * 1000 AS expires_at, e.tags,
          ARRAY(SELECT coalesce(c.stamp, 0)::text FROM unnest(e.tags) WITH ORDINALITY AS u(tag, i)
                LEFT JOIN ${s}.cache_tag_clock c ON c.tag = u.tag ORDER BY u.i) AS tag_stamps,
          ${s}.cache_clock_micros()::text AS clock
        FROM unnest($2::text[]) WITH ORDINALITY AS k(key, i)
        LEFT JOIN ${s}.cache_entries e ON e.namespace = $1 AND e.key = k.key AND e.expires_at > now()
          AND e.created_stamp > coalesce((SELECT n.cleared_stamp FROM ${s}.cache_namespace_clock n WHERE n.namespace = $1), 0)
        ORDER BY k.i`,
      // Newest stamp wins, and a delete's tombstone (an expired row with the delete's stamp) or a
      // namespace clear stamped at or after this entry refuses it: it was on its way before them.
      write: `INSERT INTO ${s}.cache_entries AS e
          (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
        SELECT $1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), to_timestamp($7 / 1000.0), $8
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.cache_namespace_clock n WHERE n.namespace = $1 AND n.cleared_stamp >= $5::bigint)
        ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, tags = excluded.tags,
          created_stamp = excluded.created_stamp, stale_at = excluded.stale_at,
          expires_at = excluded.expires_at, byte_size = excluded.byte_size, hit_count = 0,
          created_at = now(), last_accessed_at = now()
        WHERE e.created_stamp < excluded.created_stamp OR (e.created_stamp = excluded.created_stamp AND e.expires_at > now())`,
      // `write` for many distinct keys: one row per key from the arrays; tags as JSON arrays, since
      // a PostgreSQL array of arrays must be rectangular.
      writeMany: `INSERT INTO ${s}.cache_entries AS e
          (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
        SELECT $1, u.k, u.v, ARRAY(SELECT jsonb_array_elements_text(u.t::jsonb)), u.c,
          to_timestamp(u.s / 1000.0), to_timestamp(u.x / 1000.0), u.b
        FROM unnest($2::text[], $3::bytea[], $4::text[], $5::bigint[], $6::float8[], $7::float8[], $8::int[]) AS u(k, v, t, c, s, x, b)
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.cache_namespace_clock n WHERE n.namespace = $1 AND n.cleared_stamp >= u.c)
        ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, tags = excluded.tags,
          created_stamp = excluded.created_stamp, stale_at = excluded.stale_at,
          expires_at = excluded.expires_at, byte_size = excluded.byte_size, hit_count = 0,
          created_at = now(), last_accessed_at = now()
        WHERE e.created_stamp < excluded.created_stamp OR (e.created_stamp = excluded.created_stamp AND e.expires_at > now())`,
      remove: `INSERT INTO ${s}.cache_entries AS e (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
        SELECT $1, k, '\\x'::bytea, '{}', greatest($3::bigint, ${s}.cache_clock_micros()), now(), now(), 0 FROM unnest($2::text[]) AS k
        ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, tags = excluded.tags,
          created_stamp = greatest(e.created_stamp + 1, excluded.created_stamp), stale_at = excluded.stale_at,
          expires_at = excluded.expires_at, byte_size = 0, hit_count = 0`,
      stamp: `SELECT ${s}.cache_stamp_tags($1::text[], $2::bigint, ${s}.cache_covering_stamp($2::bigint))::text AS stamp`,
      stamps: `SELECT u.tag, coalesce(c.stamp, 0)::text AS stamp FROM unnest($1::text[]) AS u(tag)
        LEFT JOIN ${s}.cache_tag_clock c ON c.tag = u.tag`,
      clock: `SELECT ${s}.cache_clock_micros()::text AS clock`,
      clear: `WITH cleared AS (
          INSERT INTO ${s}.cache_namespace_clock AS n (namespace, cleared_stamp)
          VALUES ($1, ${s}.cache_covering_stamp(coalesce($2::bigint, 0)))
          ON CONFLICT (namespace) DO UPDATE SET cleared_stamp = greatest(n.cleared_stamp + 1, excluded.cleared_stamp))
        DELETE FROM ${s}.cache_entries WHERE namespace = $1`,
      queueDeletes: `INSERT INTO ${s}.cache_pending_deletes AS d (namespace, key, stamp)
        SELECT $1, k, ${s}.cache_clock_micros() FROM unnest($2::text[]) AS k
        ON CONFLICT (namespace, key) DO UPDATE SET stamp = greatest(d.stamp + 1, excluded.stamp)`,
      pendingDeletes: `SELECT key, stamp::text AS stamp FROM ${s}.cache_pending_deletes WHERE namespace = $1 ORDER BY stamp LIMIT $2`,
      doneDeletes: `DELETE FROM ${s}.cache_pending_deletes d USING unnest($2::text[], $3::bigint[]) AS u(key, stamp)
        WHERE d.namespace = $1 AND d.key = u.key AND d.stamp <= u.stamp`,
      pending: `SELECT tag, pending_stamp::text AS stamp FROM ${s}.cache_tag_clock
        WHERE pending_stamp IS NOT NULL ORDER BY pending_stamp LIMIT $1`,
      // Rows a writing transaction holds are skipped, not waited for (no deadlock with triggers):
      // they stay pending and the next sweep takes them.
      synced: `UPDATE ${s}.cache_tag_clock c SET pending_stamp = NULL
        FROM unnest($1::text[], $2::bigint[]) AS u(tag, stamp)
        WHERE c.tag = u.tag AND c.pending_stamp <= u.stamp
          AND c.tag IN (SELECT l.tag FROM ${s}.cache_tag_clock l WHERE l.tag = ANY($1::text[]) ORDER BY l.tag FOR UPDATE SKIP LOCKED)`,
      removeIfUnchanged: `DELETE FROM ${s}.cache_entries WHERE namespace = $1 AND key = $2 AND value = $3`,
      hits: `UPDATE ${s}.cache_entries e SET hit_count = e.hit_count + h.n, last_accessed_at = now()
        FROM unnest($2::text[], $3::int[]) AS h(key, n) WHERE e.namespace = $1 AND e.key = h.key`,
    };
    // Statement names are per connection; the schema is part of the text, so it is part of the name.
    this.prepared =
      options.preparedStatements === false ? {} : { read: `tc_read_${this.schema}`, write: `tc_write_${this.schema}`, stamps: `tc_stamps_${this.schema}` };
    this.hits = new HitCounter(
      (keys, counts) => this.pool.query(this.statement('hits', [this.namespace, keys, counts])),
      options.hitFlushIntervalMs ?? 5_000,
    );
  }

  async get(key: string): Promise<TierReadResult> {
    const { rows } = await this.pool.query<EntryRow>(this.statement('read', [this.namespace, key]));
    return this.readRow(key, rows[0]!);
  }

  /** Reads `keys` in one statement (`= ANY` as a join on the key list), each judged as {@link get} judges it. */
  async getMany(keys: readonly string[]): Promise<TierReadResult[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.pool.query<EntryRow>(this.statement('readMany', [this.namespace, keys]));
    return keys.map((key, index) => this.readRow(key, rows[index]!));
  }

  private readRow(key: string, row: EntryRow): TierReadResult {
    const clock = Number(row.clock);
    if (!row.value) return { entry: undefined, tagStamps: new Map(), clock };
    const tags = row.tags ?? [];
    const tagStamps = new Map(tags.map((tag, index) => [tag, Number(row.tag_stamps![index])]));
    const createdAt = Number(row.created_stamp);
    const decoded = this.codec.decode(payloadIdentity(this.namespace, key, createdAt, tags), row.value);
    if (decoded.kind === 'rejected') {
      // Never served, and removed so that the next read does not pay for it again.
      void this.pool.query(this.statement('removeIfUnchanged', [this.namespace, key, row.value])).catch(() => undefined);
      return { entry: undefined, tagStamps, clock, rejected: decoded.reason };
    }
    if (decoded.kind === 'undecodable') return { entry: undefined, tagStamps, clock };
    this.hits.record(key);
    const entry: CacheEntry = {
      value: decoded.value,
      createdAt,
      staleAt: row.stale_at!,
      expiresAt: row.expires_at!,
      tags,
      size: row.value.length,
    };
    return { entry, tagStamps, clock, payload: decoded.plain };
  }

  async set(key: string, entry: CacheEntry, payload: Buffer): Promise<void> {
    await this.pool.query(
      this.statement('write', [this.namespace, key, this.codec.encode(payloadIdentity(this.namespace, key, entry.createdAt, entry.tags), payload), entry.tags, entry.createdAt, entry.staleAt, entry.expiresAt, payload.length]),
    );
  }

  /** {@link set} for many distinct keys in one statement, each refused or written by the same rules. */
  async setMany(items: ReadonlyArray<TierWrite>): Promise<void> {
    if (items.length === 0) return;
    await this.pool.query(
      this.statement('writeMany', [
        this.namespace,
        items.map(({ key }) => key),
        items.map(({ key, entry, payload }) => this.codec.encode(payloadIdentity(this.namespace, key, entry.createdAt, entry.tags), payload)),
        items.map(({ entry }) => JSON.stringify(entry.tags)),
        items.map(({ entry }) => String(entry.createdAt)),
        items.map(({ entry }) => entry.staleAt),
        items.map(({ entry }) => entry.expiresAt),
        items.map(({ payload }) => payload.length),
      ]),
    );
  }

  /**
   * Leaves a tombstone per key: an expired row stamped with `stamp` (the shared clock's, when given)
   * or later, so that a write of an older entry that was on its way cannot land after the delete.
   * The scheduled cleanup removes tombstones with the other expired rows.
   */
  async delete(keys: readonly string[], stamp?: number): Promise<void> {
    if (keys.length > 0) await this.pool.query(this.statement('remove', [this.namespace, keys, stamp ?? null]));
  }

  async invalidateTags(tags: readonly string[], stamp = 0): Promise<number> {
    const { rows } = await this.pool.query<{ stamp: string }>(this.statement('stamp', [tags, stamp]));
    return Number(rows[0]!.stamp);
  }

  async tagStamps(tags: readonly string[]): Promise<Map<string, number>> {
    if (tags.length === 0) return new Map();
    const { rows } = await this.pool.query<{ tag: string; stamp: string }>(this.statement('stamps', [tags]));
    return new Map(rows.map((row) => [row.tag, Number(row.stamp)]));
  }

  async now(): Promise<number> {
    const { rows } = await this.pool.query<{ clock: string }>(this.statement('clock', []));
    return Number(rows[0]!.clock);
  }

  /** Empties the namespace and records the clear's stamp (`stamp` or later): older writes on their way are refused. */
  async clear(stamp?: number): Promise<void> {
    await this.pool.query(this.statement('clear', [this.namespace, stamp ?? null]));
  }

  /**
   * Tags stamped here but not yet on the clock tier (by triggers, or while Redis was away), oldest
   * first, with the stamp that marked them pending.
   */
  async pendingTags(limit: number): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ tag: string; stamp: string }>(this.statement('pending', [limit]));
    return new Map(rows.map((row) => [row.tag, Number(row.stamp)]));
  }

  /**
   * Records deletes of `keys` of this namespace (`''` for a clear) that Redis missed, until an
   * instance sweeps them there ({@link pendingDeletes}, {@link markDeletesDone}).
   */
  async queueRedisDeletes(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.pool.query(this.statement('queueDeletes', [this.namespace, keys]));
  }

  /** This namespace's deletes Redis missed, oldest first, with the stamp they were recorded at. */
  async pendingDeletes(limit: number): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ key: string; stamp: string }>(this.statement('pendingDeletes', [this.namespace, limit]));
    return new Map(rows.map((row) => [row.key, Number(row.stamp)]));
  }

  /** Removes the recorded deletes that were not recorded again since `stamps` were read. */
  async markDeletesDone(stamps: ReadonlyMap<string, number>): Promise<void> {
    if (stamps.size === 0) return;
    await this.pool.query(this.statement('doneDeletes', [this.namespace, [...stamps.keys()], [...stamps.values()]]));
  }

  /** Clears the pending marks of `tags` that were not renewed since `stamps` were read. */
  async markTagsSynced(stamps: ReadonlyMap<string, number>): Promise<void> {
    if (stamps.size === 0) return;
    await this.pool.query(this.statement('synced', [[...stamps.keys()], [...stamps.values()]]));
  }

  /** A query with the tier's timeout, named (prepared once per connection) for the hot ones. */
  private statement(which: StatementName, values: unknown[]): pg.QueryConfig & { query_timeout: number } {
    const name = this.prepared[which as PreparedName];
    const query = { text: this.sql[which], values, query_timeout: this.queryTimeoutMs };
    return name === undefined ? query : { ...query, name };
  }

  /**
   * Checks (with `createTables`, creates) the cache tables.
   * @throws MissingCacheTablesError when they are missing or outdated.
   */
  async prepare(): Promise<void> {
    await prepareCacheSchema(this.pool, this.schema, this.createTables);
  }

  async close(): Promise<void> {
    await this.hits.stop();
    if (this.ownsPool) await this.pool.end();
  }
}
