import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { toMilliseconds } from '../core/duration.js';
import { TieredCache } from '../core/tiered-cache.js';
import { RedisTier } from '../tiers/redis/redis.tier.js';
import { CacheCleaner, type CleanupResult, type CleanupTrigger } from './cache-cleaner.js';
import { TIERED_CACHE_MAINTENANCE_OPTIONS } from './maintenance.constants.js';
import type { TieredCacheMaintenanceOptions } from './maintenance.options.js';
import { resolveOpsStore, type OpsStore } from './ops-store.js';

/** One row of `cache_cleanup_log`. */
export interface CleanupLogEntry {
  id: number;
  startedAt: string;
  finishedAt: string;
  trigger: string;
  instanceId: string;
  status: string;
  expiredDeleted: number;
  evictedRows: number;
  freedBytes: number;
  tagsPurged: number;
  logsPurged: number;
  rowsAfter: number | null;
  bytesAfter: number | null;
  durationMs: number;
  error: string | null;
}

export interface CleanupHistory {
  days: number;
  runs: CleanupLogEntry[];
  totals: { runs: number; errors: number; expiredDeleted: number; evictedRows: number; freedBytes: number; tagsPurged: number };
}

/** There is no PostgreSQL to clean or log to: the cache has no L3 and no pool was given. */
export class OpsStoreMissingError extends Error {
  constructor() {
    super('Cache maintenance needs PostgreSQL: configure the L3 tier or pass `pool` to the maintenance module');
    this.name = 'OpsStoreMissingError';
  }
}

const DEFAULT_INTERVAL = '1h';

/**
 * Schedules {@link CacheCleaner} with `SchedulerRegistry.addInterval` (the app imports
 * `ScheduleModule.forRoot()`), and runs it on demand. A tick never waits for the run it starts.
 */
@Injectable()
export class CacheCleanupService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TieredCacheCleanup');
  readonly store: OpsStore | undefined;
  readonly cleaner: CacheCleaner | undefined;
  /** Milliseconds between scheduled runs; `undefined` when not scheduled. */
  readonly intervalMs: number | undefined;
  readonly intervalName: string;
  private scheduled = false;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_MAINTENANCE_OPTIONS) options: TieredCacheMaintenanceOptions,
    private readonly scheduler: SchedulerRegistry,
  ) {
    this.store = resolveOpsStore(cache, options);
    const l2 = cache.tiers().find((entry) => entry.tier instanceof RedisTier)?.tier as RedisTier | undefined;
    this.cleaner = this.store ? new CacheCleaner(this.store, cache.instanceId, options, l2) : undefined;
    const interval = options.cleanupInterval ?? DEFAULT_INTERVAL;
    this.intervalMs = interval === false ? undefined : toMilliseconds(interval, 'cleanupInterval');
    if (this.intervalMs === 0) throw new Error('cleanupInterval must be more than 0; use false to turn the schedule off');
    this.intervalName = `tiered-cache-cleanup:${cache.namespace}`;
  }

  /** The L3 caps cleanup enforces, for the admin report. */
  get caps(): { maxRows?: number; maxBytes?: number } {
    return { maxRows: this.cleaner?.maxRows, maxBytes: this.cleaner?.maxBytes };
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs === undefined) return;
    if (!this.cleaner) {
      this.logger.warn('No PostgreSQL tier: scheduled L3 cleanup is off');
      return;
    }
    const timer = setInterval(() => void this.tick(), this.intervalMs);
    timer.unref();
    this.scheduler.addInterval(this.intervalName, timer);
    this.scheduled = true;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.scheduled) {
      this.scheduler.deleteInterval(this.intervalName);
      this.scheduled = false;
    }
    await this.cleaner?.idle();
  }

  /**
   * Runs cleanup now.
   * @throws OpsStoreMissingError when there is no PostgreSQL.
   */
  async run(trigger: CleanupTrigger = 'manual'): Promise<CleanupResult> {
    if (!this.cleaner) throw new OpsStoreMissingError();
    return this.cleaner.run(trigger);
  }

  /** Runs of the last `days` days, newest first (at most 1,000), with totals. */
  async history(days: number): Promise<CleanupHistory> {
    const store = this.store;
    if (!store) throw new OpsStoreMissingError();
    const { rows } = await store.pool.query<Record<string, unknown>>(
      `SELECT id, started_at, finished_at, trigger, instance_id, status, expired_deleted, evicted_rows, freed_bytes,
              tags_purged, logs_purged, rows_after, bytes_after, duration_ms, error
       FROM ${store.s}.cache_cleanup_log
       WHERE started_at >= now() - make_interval(days => $1)
       ORDER BY started_at DESC, id DESC LIMIT 1000`,
      [days],
    );
    const runs = rows.map(toLogEntry);
    return {
      days,
      runs,
      totals: {
        runs: runs.length,
        errors: runs.filter((run) => run.status === 'error').length,
        expiredDeleted: sum(runs, 'expiredDeleted'),
        evictedRows: sum(runs, 'evictedRows'),
        freedBytes: sum(runs, 'freedBytes'),
        tagsPurged: sum(runs, 'tagsPurged'),
      },
    };
  }

  /** When cleanup last finished (any instance), or `undefined` if never or unknown. */
  async lastRunAt(): Promise<Date | undefined> {
    const store = this.store;
    if (!store) return undefined;
    const { rows } = await store.pool.query<{ at: Date | null }>(`SELECT max(finished_at) AS at FROM ${store.s}.cache_cleanup_log`);
    return rows[0]?.at ?? undefined;
  }

  private async tick(): Promise<void> {
    const result = await this.run('schedule');
    if (result.status === 'error') this.logger.error(`Cleanup failed: ${result.error}`);
    else if (result.status === 'ok') {
      const l2 = result.l2TagsPurged === undefined ? '' : `, ${result.l2TagsPurged} L2 tag stamps`;
      this.logger.log(
        `Cleanup: ${result.expiredDeleted} expired, ${result.evictedRows} evicted, ${result.tagsPurged} tag records${l2} purged in ${result.durationMs} ms`,
      );
    }
    if (result.l2Error !== undefined) this.logger.warn(`L2 tag stamp purge failed: ${result.l2Error}`);
    if (result.trendsError !== undefined) this.logger.warn(`Stats history rollup failed: ${result.trendsError}`);
  }
}

function toLogEntry(row: Record<string, unknown>): CleanupLogEntry {
  const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: Number(row.id),
    startedAt: (row.started_at as Date).toISOString(),
    finishedAt: (row.finished_at as Date).toISOString(),
    trigger: row.trigger as string,
    instanceId: row.instance_id as string,
    status: row.status as string,
    expiredDeleted: Number(row.expired_deleted),
    evictedRows: Number(row.evicted_rows),
    freedBytes: Number(row.freed_bytes),
    tagsPurged: Number(row.tags_purged),
    logsPurged: Number(row.logs_purged),
    rowsAfter: num(row.rows_after),
    bytesAfter: num(row.bytes_after),
    durationMs: Number(row.duration_ms),
    error: (row.error as string | null) ?? null,
  };
}

function sum(runs: CleanupLogEntry[], field: 'expiredDeleted' | 'evictedRows' | 'freedBytes' | 'tagsPurged'): number {
  return runs.reduce((total, run) => total + run[field], 0);
}
