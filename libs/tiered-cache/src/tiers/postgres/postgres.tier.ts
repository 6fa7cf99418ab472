import pg from 'pg';
import type { CacheEntry } from '../../core/entry.js';
import { v8Serializer, type Serializer } from '../../core/serializer.js';
import type { Tier, TierReadResult } from '../tier.js';
import { HitCounter } from './hit-counter.js';
import { quoteSchema } from './postgres.schema.js';

export interface PostgresTierOptions {
  /** A pg pool to use. The tier does not end a pool it was given. */
  pool?: pg.Pool;
  /** Connection string when no pool is given. */
  connectionString?: string;
  /** Schema holding `cache_entries` and `cache_tag_clock`. Default `public`. */
  schema?: string;
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
}

type StatementName = 'read' | 'write' | 'remove' | 'stamp' | 'stamps' | 'clock' | 'clear' | 'hits';
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
  readonly namespace: string;
  private readonly ownsPool: boolean;
  private readonly serializer: Serializer;
  private readonly hits: HitCounter;
  private readonly sql: Record<StatementName, string>;
  private readonly prepared: Partial<Record<PreparedName, string>>;
  private readonly queryTimeoutMs: number;

  constructor(options: PostgresTierOptions) {
    if (!options.pool && !options.connectionString) throw new Error('PostgresTier needs a pool or a connectionString');
    this.ownsPool = !options.pool;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 500;
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: 10 });
    this.schema = options.schema ?? 'public';
    this.namespace = options.namespace ?? 'default';
    this.serializer = options.serializer ?? v8Serializer;
    const s = quoteSchema(this.schema);
    this.sql = {
      read: `SELECT e.value, e.created_stamp::text AS created_stamp,
          extract(epoch FROM e.stale_at)::float8 * 1000 AS stale_at,
          extract(epoch FROM e.expires_at)::float8 * 1000 AS expires_at, e.tags,
          ARRAY(SELECT coalesce(c.stamp, 0)::text FROM unnest(e.tags) WITH ORDINALITY AS u(tag, i)
                LEFT JOIN ${s}.cache_tag_clock c ON c.tag = u.tag ORDER BY u.i) AS tag_stamps,
          ${s}.cache_clock_micros()::text AS clock
        FROM (SELECT 1) AS one
        LEFT JOIN ${s}.cache_entries e ON e.namespace = $1 AND e.key = $2 AND e.expires_at > now()`,
      write: `INSERT INTO ${s}.cache_entries AS e
          (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
        VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), to_timestamp($7 / 1000.0), $8)
        ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, tags = excluded.tags,
          created_stamp = excluded.created_stamp, stale_at = excluded.stale_at,
          expires_at = excluded.expires_at, byte_size = excluded.byte_size, hit_count = 0,
          created_at = now(), last_accessed_at = now()
        WHERE e.created_stamp <= excluded.created_stamp`,
      remove: `DELETE FROM ${s}.cache_entries WHERE namespace = $1 AND key = ANY($2::text[])`,
      stamp: `SELECT ${s}.cache_invalidate_tags($1::text[], $2::bigint)::text AS stamp`,
      stamps: `SELECT u.tag, coalesce(c.stamp, 0)::text AS stamp FROM unnest($1::text[]) AS u(tag)
        LEFT JOIN ${s}.cache_tag_clock c ON c.tag = u.tag`,
      clock: `SELECT ${s}.cache_clock_micros()::text AS clock`,
      clear: `DELETE FROM ${s}.cache_entries WHERE namespace = $1`,
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
    const row = rows[0]!;
    const clock = Number(row.clock);
    if (!row.value) return { entry: undefined, tagStamps: new Map(), clock };
    const tags = row.tags ?? [];
    const tagStamps = new Map(tags.map((tag, index) => [tag, Number(row.tag_stamps![index])]));
    let value: unknown;
    try {
      value = this.serializer.deserialize(row.value);
    } catch {
      return { entry: undefined, tagStamps, clock };
    }
    this.hits.record(key);
    const entry: CacheEntry = {
      value,
      createdAt: Number(row.created_stamp),
      staleAt: row.stale_at!,
      expiresAt: row.expires_at!,
      tags,
      size: row.value.length,
    };
    return { entry, tagStamps, clock, payload: row.value };
  }

  async set(key: string, entry: CacheEntry, payload: Buffer): Promise<void> {
    await this.pool.query(
      this.statement('write', [this.namespace, key, payload, entry.tags, entry.createdAt, entry.staleAt, entry.expiresAt, payload.length]),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.pool.query(this.statement('remove', [this.namespace, keys]));
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

  async clear(): Promise<void> {
    await this.pool.query(this.statement('clear', [this.namespace]));
  }

  /** A query with the tier's timeout, named (prepared once per connection) for the hot ones. */
  private statement(which: StatementName, values: unknown[]): pg.QueryConfig & { query_timeout: number } {
    const name = this.prepared[which as PreparedName];
    const query = { text: this.sql[which], values, query_timeout: this.queryTimeoutMs };
    return name === undefined ? query : { ...query, name };
  }

  async close(): Promise<void> {
    await this.hits.stop();
    if (this.ownsPool) await this.pool.end();
  }
}
