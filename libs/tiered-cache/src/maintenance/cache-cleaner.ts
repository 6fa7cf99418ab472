import type pg from 'pg';
import { toMilliseconds, type Duration } from '../core/duration.js';
import { InvalidOptionError } from '../core/errors.js';
import { resolveTrendsRetention, type ResolvedTrendsRetention, type TrendsRetentionOptions } from '../trends/trends.options.js';
import { rollUpTrends, trendTablesExist, type TrendsRollupResult } from '../trends/trends.rollup.js';
import type { OpsStore } from './ops-store.js';

/** Settings of the L3 cleanup. Every field has a default. */
export interface CleanupOptions {
  /** Rows deleted per statement. Default 1,000. */
  batchSize?: number;
  /** Most statements per step and run, so one run stays bounded. Default 1,000. */
  maxBatchesPerRun?: number;
  /** Pause between two statements, to leave the database to requests. Default 0. */
  batchPause?: Duration;
  /** L3 row cap over the whole table (every namespace). Past it, least-recently-used rows go. Off by default. */
  maxRows?: number;
  /** L3 byte cap (sum of `byte_size`) over the whole table. Off by default. */
  maxBytes?: number;
  /**
   * A tag-clock record is kept at least this long after its last invalidation, for entries that
   * are not in L3 (L1/L2 only) and loaders still running. Set it above the longest `ttl + grace`
   * of entries that skip L3, plus the loader hard timeout. Default `'1d'`.
   */
  tagClockRetention?: Duration;
  /** `cache_cleanup_log` rows older than this are deleted. Default `'30d'`. */
  cleanupLogRetention?: Duration;
  /** `cache_audit_log` rows older than this are deleted. Default `'90d'`; `false` keeps them. */
  auditLogRetention?: Duration | false;
  /** Name of the PostgreSQL advisory lock (combined with the schema). Default `tiered-cache:cleanup`. */
  lockName?: string;
  /**
   * Retention of the stats history (docs/trends.md): each run rolls finished hours up from
   * `cache_stats_minute` and deletes what is past retention. Skipped when the tables do not
   * exist; `false` skips it always.
   */
  trends?: TrendsRetentionOptions | false;
}

/** What started a run: the schedule, `POST /cleanup`, or the `TieredCacheL3ExpiredRows` alert. */
export type CleanupTrigger = 'schedule' | 'manual' | 'alert';

/** A tier whose tag stamps the cleanup purges too: L2 (`RedisTier`). */
export interface TagStampPurger {
  purgeTagStamps(options?: { batch?: number }): Promise<number>;
}

export interface CleanupResult {
  status: 'ok' | 'skipped' | 'error';
  trigger: CleanupTrigger;
  /** Why a run was skipped: another instance (or this one) holds the lock. */
  reason?: string;
  /** When the lock was taken (database clock); the attempt time for a skipped run. */
  startedAt: string;
  /** When the work ended, before the lock was released (database clock). */
  finishedAt: string;
  durationMs: number;
  expiredDeleted: number;
  evictedRows: number;
  /** Bytes freed by expired deletion and eviction together. */
  freedBytes: number;
  tagsPurged: number;
  /** L2 tag stamps purged; absent when the cleaner has no L2 or its purge failed. Not in `cache_cleanup_log`. */
  l2TagsPurged?: number;
  /** Why the L2 purge failed; the L3 cleanup's status does not depend on it. */
  l2Error?: string;
  logsPurged: number;
  /** What the stats history step did; absent when skipped. Not in `cache_cleanup_log`. */
  trends?: TrendsRollupResult;
  /** Why the stats history step failed; the L3 cleanup's status does not depend on it. */
  trendsError?: string;
  rowsAfter?: number;
  bytesAfter?: number;
  /** True when a step stopped at `maxBatchesPerRun`: the next run continues. */
  truncated: boolean;
  error?: string;
}

interface Step {
  rows: number;
  bytes: number;
  truncated: boolean;
}

const DEFAULT_LOCK_NAME = 'tiered-cache:cleanup';

/**
 * Cleans the L3 table in bounded batches, on one instance at a time (session advisory lock). Every
 * statement deletes at most `batchSize` rows picked with `FOR UPDATE SKIP LOCKED`, so it never waits
 * for a row a request is writing, and a request waits at most for one short statement.
 * Framework-free; {@link CacheCleanupService} schedules it.
 */
export class CacheCleaner {
  readonly batchSize: number;
  readonly maxBatches: number;
  readonly maxRows: number | undefined;
  readonly maxBytes: number | undefined;
  private readonly pauseMs: number;
  private readonly tagRetentionSeconds: number;
  private readonly cleanupLogRetentionSeconds: number;
  private readonly auditRetentionSeconds: number | undefined;
  private readonly lockName: string;
  private readonly trendsRetention: ResolvedTrendsRetention | undefined;
  private running: Promise<CleanupResult> | undefined;

  constructor(
    private readonly store: OpsStore,
    private readonly instanceId: string,
    options: CleanupOptions = {},
    /** The cache's L2, whose tag stamps each run purges as well. */
    private readonly l2?: TagStampPurger,
  ) {
    this.batchSize = positiveInteger(options.batchSize ?? 1_000, 'batchSize');
    this.maxBatches = positiveInteger(options.maxBatchesPerRun ?? 1_000, 'maxBatchesPerRun');
    this.maxRows = options.maxRows === undefined ? undefined : positiveInteger(options.maxRows, 'maxRows');
    this.maxBytes = options.maxBytes === undefined ? undefined : positiveInteger(options.maxBytes, 'maxBytes');
    this.pauseMs = toMilliseconds(options.batchPause ?? 0, 'batchPause');
    this.tagRetentionSeconds = toMilliseconds(options.tagClockRetention ?? '1d', 'tagClockRetention') / 1_000;
    this.cleanupLogRetentionSeconds = toMilliseconds(options.cleanupLogRetention ?? '30d', 'cleanupLogRetention') / 1_000;
    this.auditRetentionSeconds =
      options.auditLogRetention === false ? undefined : toMilliseconds(options.auditLogRetention ?? '90d', 'auditLogRetention') / 1_000;
    this.lockName = options.lockName ?? DEFAULT_LOCK_NAME;
    this.trendsRetention = options.trends === false ? undefined : resolveTrendsRetention(options.trends ?? {});
  }

  /**
   * Runs one cleanup. Resolves with `status: 'skipped'` when another instance holds the lock or
   * this instance is already running one; never rejects.
   */
  async run(trigger: CleanupTrigger): Promise<CleanupResult> {
    if (this.running) return { ...emptyResult(trigger, new Date()), status: 'skipped', reason: 'a cleanup is already running on this instance' };
    this.running = this.runLocked(trigger);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /** Waits for a run in progress, if any. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async runLocked(trigger: CleanupTrigger): Promise<CleanupResult> {
    const started = new Date();
    const result = emptyResult(trigger, started);
    let client: pg.PoolClient;
    try {
      client = await this.store.pool.connect();
    } catch (error) {
      return { ...result, status: 'error', error: (error as Error).message };
    }
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [
        this.lockName,
        this.store.schema,
      ]);
      if (!rows[0]!.locked) return { ...result, status: 'skipped', reason: 'another instance holds the cleanup lock' };
      try {
        // Both times are read inside the lock, so the log shows that runs never overlap.
        result.startedAt = await databaseTime(client);
        await this.steps(client, result);
      } catch (error) {
        result.status = 'error';
        result.error = (error as Error).message;
      } finally {
        result.finishedAt = await databaseTime(client).catch(() => new Date().toISOString());
        await client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [this.lockName, this.store.schema]).catch((error: Error) => {
          broken = error;
        });
      }
      result.durationMs = Date.now() - started.getTime();
      await this.log(client, result).catch((error: Error) => {
        result.error = result.error ?? `cleanup log not written: ${error.message}`;
      });
      return result;
    } catch (error) {
      broken = error as Error;
      return { ...result, status: 'error', error: (error as Error).message, durationMs: Date.now() - started.getTime() };
    } finally {
      // A connection whose unlock failed may still hold the lock: destroy it rather than pool it.
      client.release(broken);
    }
  }

  private async steps(client: pg.PoolClient, result: CleanupResult): Promise<void> {
    const { s } = this.store;
    const expired = await this.batches(
      client,
      `WITH deleted AS (
         DELETE FROM ${s}.cache_entries WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${s}.cache_entries WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED))
         RETURNING byte_size)
       SELECT count(*)::bigint AS n, coalesce(sum(byte_size), 0)::bigint AS bytes FROM deleted`,
      () => [this.batchSize],
    );
    result.expiredDeleted = expired.rows;
    result.freedBytes = expired.bytes;

    const evicted = await this.enforceCaps(client);
    result.evictedRows = evicted.rows;
    result.freedBytes += evicted.bytes;

    // A tag record matters only to entries carrying the tag and created at or before its stamp.
    const tags = await this.batches(
      client,
      `WITH deleted AS (
         DELETE FROM ${s}.cache_tag_clock WHERE ctid = ANY(ARRAY(
           SELECT c.ctid FROM ${s}.cache_tag_clock c
           WHERE c.invalidated_at < now() - make_interval(secs => $2)
             AND c.pending_stamp IS NULL -- not yet swept into Redis: still needed
             AND NOT EXISTS (SELECT 1 FROM ${s}.cache_entries e
                             WHERE e.tags @> ARRAY[c.tag] AND e.created_stamp <= c.stamp AND e.expires_at > now())
           LIMIT $1 FOR UPDATE SKIP LOCKED))
         RETURNING 1)
       SELECT count(*)::bigint AS n, 0::bigint AS bytes FROM deleted`,
      () => [this.batchSize, this.tagRetentionSeconds],
    );
    result.tagsPurged = tags.rows;
    await this.purgeL2(result);

    result.logsPurged = await this.purgeLogs(client);
    await this.rollUpTrends(client, result);
    const totals = await this.tableTotals(client);
    result.rowsAfter = totals.rows;
    result.bytesAfter = totals.bytes;
    result.truncated = expired.truncated || evicted.truncated || tags.truncated;
  }

  /** Inside the lock, so that one instance at a time scans the shared tag hash. */
  private async purgeL2(result: CleanupResult): Promise<void> {
    if (!this.l2) return;
    try {
      result.l2TagsPurged = await this.l2.purgeTagStamps({ batch: this.batchSize });
    } catch (error) {
      result.l2Error = (error as Error).message;
    }
  }

  /** Inside the lock, so that one instance at a time writes the hour rows. */
  private async rollUpTrends(client: pg.PoolClient, result: CleanupResult): Promise<void> {
    if (!this.trendsRetention) return;
    try {
      if (!(await trendTablesExist(client, this.store.s))) return;
      result.trends = await rollUpTrends(client, this.store.s, this.trendsRetention);
    } catch (error) {
      result.trendsError = (error as Error).message;
    }
  }

  /** Rows and bytes of the whole entry table (every namespace: the caps are the table's). */
  private async tableTotals(client: pg.PoolClient): Promise<{ rows: number; bytes: number }> {
    const { rows } = await client.query<{ rows: string; bytes: string }>(
      `SELECT count(*)::bigint AS rows, coalesce(sum(byte_size), 0)::bigint AS bytes FROM ${this.store.s}.cache_entries`,
    );
    return { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes) };
  }

  /** Deletes least-recently-used rows until the table is within both caps. */
  private async enforceCaps(client: pg.PoolClient): Promise<Step> {
    const total: Step = { rows: 0, bytes: 0, truncated: false };
    if (this.maxRows === undefined && this.maxBytes === undefined) return total;
    const { s } = this.store;
    const totals = await this.tableTotals(client);
    let excessRows = this.maxRows === undefined ? 0 : totals.rows - this.maxRows;
    let excessBytes = this.maxBytes === undefined ? 0 : totals.bytes - this.maxBytes;
    for (let batch = 0; excessRows > 0 || excessBytes > 0; batch++) {
      if (batch >= this.maxBatches) return { ...total, truncated: true };
      if (batch > 0 && this.pauseMs > 0) await pause(this.pauseMs);
      // Oldest first; a row goes while the rows before it have not yet covered the excess.
      const step = await client.query<{ n: string; bytes: string }>(
        `WITH lru AS (
           SELECT ctid, byte_size, last_accessed_at FROM ${s}.cache_entries
           ORDER BY last_accessed_at LIMIT $1 FOR UPDATE SKIP LOCKED),
         ranked AS (
           SELECT ctid, byte_size,
                  row_number() OVER w AS rn,
                  sum(byte_size) OVER w AS cum
           FROM lru WINDOW w AS (ORDER BY last_accessed_at ROWS UNBOUNDED PRECEDING)),
         deleted AS (
           DELETE FROM ${s}.cache_entries WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM ranked WHERE rn <= $2 OR cum - byte_size < $3))
           RETURNING byte_size)
         SELECT count(*)::bigint AS n, coalesce(sum(byte_size), 0)::bigint AS bytes FROM deleted`,
        [this.batchSize, Math.max(0, excessRows), Math.max(0, excessBytes)],
      );
      const n = Number(step.rows[0]!.n);
      const bytes = Number(step.rows[0]!.bytes);
      if (n === 0) break;
      total.rows += n;
      total.bytes += bytes;
      excessRows -= n;
      excessBytes -= bytes;
    }
    return total;
  }

  private async purgeLogs(client: pg.PoolClient): Promise<number> {
    const { s } = this.store;
    let purged = await this.purgeOlderThan(client, 'cache_cleanup_log', 'started_at', this.cleanupLogRetentionSeconds);
    if (this.auditRetentionSeconds !== undefined) {
      purged += await this.purgeOlderThan(client, 'cache_audit_log', 'at', this.auditRetentionSeconds);
    }
    const confirmations = await client.query(`DELETE FROM ${s}.cache_admin_confirmations WHERE expires_at < now() - interval '1 day'`);
    return purged + (confirmations.rowCount ?? 0);
  }

  /** Deletes, in bounded batches, the rows of an ops log older than `seconds`. */
  private async purgeOlderThan(client: pg.PoolClient, table: string, column: string, seconds: number): Promise<number> {
    const { s } = this.store;
    const step = await this.batches(
      client,
      `WITH deleted AS (
         DELETE FROM ${s}.${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${s}.${table} WHERE ${column} < now() - make_interval(secs => $2) LIMIT $1))
         RETURNING 1)
       SELECT count(*)::bigint AS n, 0::bigint AS bytes FROM deleted`,
      () => [this.batchSize, seconds],
    );
    return step.rows;
  }

  /** Repeats a bounded delete until it deletes less than a full batch, or the batch budget is spent. */
  private async batches(client: pg.PoolClient, sql: string, params: () => unknown[]): Promise<Step> {
    const total: Step = { rows: 0, bytes: 0, truncated: false };
    for (let batch = 0; ; batch++) {
      if (batch >= this.maxBatches) return { ...total, truncated: true };
      if (batch > 0 && this.pauseMs > 0) await pause(this.pauseMs);
      const { rows } = await client.query<{ n: string; bytes: string }>(sql, params());
      const n = Number(rows[0]!.n);
      total.rows += n;
      total.bytes += Number(rows[0]!.bytes);
      if (n < this.batchSize) return total;
    }
  }

  private async log(client: pg.PoolClient, result: CleanupResult): Promise<void> {
    await client.query(
      `INSERT INTO ${this.store.s}.cache_cleanup_log
         (started_at, finished_at, trigger, instance_id, status, expired_deleted, evicted_rows, freed_bytes, tags_purged,
          logs_purged, rows_after, bytes_after, duration_ms, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        result.startedAt,
        result.finishedAt,
        result.trigger,
        this.instanceId,
        result.status,
        result.expiredDeleted,
        result.evictedRows,
        result.freedBytes,
        result.tagsPurged,
        result.logsPurged,
        result.rowsAfter ?? null,
        result.bytesAfter ?? null,
        result.durationMs,
        result.error ?? null,
      ],
    );
  }
}

function emptyResult(trigger: CleanupTrigger, started: Date): CleanupResult {
  return {
    status: 'ok',
    trigger,
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    durationMs: 0,
    expiredDeleted: 0,
    evictedRows: 0,
    freedBytes: 0,
    tagsPurged: 0,
    logsPurged: 0,
    truncated: false,
  };
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(field, `must be a positive integer, got ${value}`);
  return value;
}

async function databaseTime(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ at: Date }>('SELECT clock_timestamp() AS at');
  return rows[0]!.at.toISOString();
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
