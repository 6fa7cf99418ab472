import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from '../admin/admin.constants.js';
import type { TieredCacheAdminOptions } from '../admin/admin.options.js';
import { resolveOpsStore } from '../maintenance/ops-store.js';
import { MinuteRecorder } from './minute-recorder.js';
import { resolveFlushInterval } from './trends.options.js';
import { PostgresTrendsStore, type TrendSeries } from './trends.pg-store.js';
import type { TrendRange } from './trends.range.js';

/**
 * Records this instance's minutes ({@link MinuteRecorder}) and writes them to
 * `cache_stats_minute` every `trends.flushInterval`, in the pool and schema of the ops tables;
 * reads the fleet's series for `GET /trends`. Off with `trends: false` or without PostgreSQL.
 */
@Injectable()
export class CacheTrends implements OnApplicationBootstrap, OnModuleDestroy {
  /** `undefined` when off. */
  readonly store: PostgresTrendsStore | undefined;
  readonly flushIntervalMs: number;
  private readonly recorder = new MinuteRecorder();
  private readonly logger = new Logger('TieredCacheTrends');
  private readonly stopRecording: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_ADMIN_OPTIONS) options: TieredCacheAdminOptions,
  ) {
    this.flushIntervalMs = resolveFlushInterval(options.trends === false ? {} : options.trends);
    const ops = options.trends === false ? undefined : resolveOpsStore(cache, options);
    this.store = ops ? new PostgresTrendsStore(ops) : undefined;
    // From construction, so the calls of the app's own start-up are counted too.
    this.stopRecording = this.store ? cache.observe(this.recorder.observer) : undefined;
  }

  get enabled(): boolean {
    return this.store !== undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.store) return;
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopRecording?.();
    // The last minutes, before the cache closes the pool.
    await this.flush();
  }

  /** Writes the minutes not yet written. Never throws: what failed is written by the next flush. */
  flush(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      const rows = this.recorder.pending();
      try {
        await store.writeMinutes(this.cache.instanceId, rows);
        this.recorder.written(rows);
        if (this.failing) this.logger.log('Trend minutes written again');
        this.failing = false;
      } catch (error) {
        if (!this.failing) this.logger.warn(`Trend minutes not written: ${(error as Error).message}`);
        this.failing = true;
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** The fleet's series over `range`. Call only when {@link enabled}. */
  series(range: TrendRange): Promise<TrendSeries> {
    return this.store!.series(range);
  }
}
