import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { redisTlsOption, TieredCache, toMilliseconds } from '@tiered-cache/nestjs';
import { RedisStreamQueue, WriteBehind, WriteBehindFlusher, type WriteBehindMonitor, type WriteBehindStatus } from '@tiered-cache/nestjs/write-behind';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { FLUSH_WATCH_PROGRESS_SQL, WATCH_PROGRESS_ROW_SQL } from '../expert-sessions.queries.js';
import { flushParameters, mergeProgress, parseProgressRowKey, progressRowKey, type WatchProgressWrite } from './watch-progress.write.js';

/** Longest wait for Redis to take a write before the request is refused. */
const APPEND_TIMEOUT_MS = 1_000;

/**
 * The watch progress queue (`WRITE_BEHIND=true`, docs/write-behind.md): reports are acknowledged
 * once Redis holds them, served from the cache until flushed, and flushed into
 * `expert_session_progress` by whichever instance holds the flusher lease.
 */
@Injectable()
export class WatchProgressWriteBehind implements OnModuleInit, OnModuleDestroy, WriteBehindMonitor {
  private readonly logger = new Logger('WriteBehind');
  private client: Redis | undefined;
  private queue: RedisStreamQueue<WatchProgressWrite> | undefined;
  private writeBehind: WriteBehind<WatchProgressWrite> | undefined;
  private flusher: WriteBehindFlusher<WatchProgressWrite> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly cache: TieredCache,
  ) {}

  /** Whether progress reports go through the queue (else they are written synchronously). */
  get enabled(): boolean {
    return this.config.writeBehind.enabled;
  }

  onModuleInit(): void {
    const { writeBehind: settings, redisUrl, redisTls, cache } = this.config;
    if (!settings.enabled || redisUrl === undefined) return;
    // No offline queue: a write refused while Redis is away must not be sent later behind the caller's back.
    this.client = new Redis(redisUrl, {
      ...redisTlsOption({ url: redisUrl, ...(redisTls ? { tls: redisTls } : {}) }, 'REDIS_TLS'),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    this.client.on('error', () => undefined); // reported through the refused writes and the health check
    this.queue = new RedisStreamQueue<WatchProgressWrite>({
      client: this.client,
      stream: `${cache.keyPrefix}${cache.namespace}:write-behind:watch-progress`,
      appendTimeoutMs: APPEND_TIMEOUT_MS,
    });
    this.writeBehind = new WriteBehind<WatchProgressWrite>({
      queue: this.queue,
      cache: this.cache,
      merge: mergeProgress,
      cacheKey: (rowKey) => `expert-sessions:progress:${rowKey}`,
      load: (rowKey) => this.load(rowKey),
      // Well past the degraded bound: a row must stay cached until its writes are flushed.
      ttl: Math.max(toMilliseconds(settings.lagMax) * 10, 3_600_000),
    });
    if (!settings.flusher) return;
    const ackDelayMs = toMilliseconds(settings.ackDelay);
    this.flusher = new WriteBehindFlusher<WatchProgressWrite>({
      queue: this.queue,
      client: this.client,
      merge: mergeProgress,
      writer: async (rows) => {
        await this.db.query(FLUSH_WATCH_PROGRESS_SQL, flushParameters(rows));
      },
      batchSize: settings.batchSize,
      intervalMs: toMilliseconds(settings.flushInterval),
      claimIdleMs: toMilliseconds(settings.claimIdle),
      ...(ackDelayMs > 0 ? { beforeAck: () => new Promise<void>((resolve) => setTimeout(resolve, ackDelayMs)) } : {}),
      onError: (error) => this.logger.warn(`Flush failed, the batch stays queued: ${(error as Error).message}`),
    });
    // Started once connected: runs before that would only fail on the offline client and count as errors.
    const flusher = this.flusher;
    if (this.client.status === 'ready') flusher.start();
    else this.client.once('ready', () => flusher.start());
  }

  async onModuleDestroy(): Promise<void> {
    await this.flusher?.stop();
    await this.client?.quit().catch(() => this.client?.disconnect());
  }

  /**
   * Queues a report and resolves with the merged row once Redis holds it.
   * @throws WriteBehindUnavailableError when Redis cannot take it: nothing was recorded.
   */
  record(studentId: number, sessionId: number, report: WatchProgressWrite): Promise<WatchProgressWrite> {
    if (!this.writeBehind) throw new Error('Write-behind is not enabled (WRITE_BEHIND)');
    return this.writeBehind.write(progressRowKey(studentId, sessionId), report);
  }

  async status(): Promise<WriteBehindStatus> {
    if (!this.queue) throw new Error('Write-behind is not enabled (WRITE_BEHIND)');
    const backlog = await this.queue.backlog();
    const flusher = this.flusher?.stats();
    return {
      queue: this.queue.stream,
      backlog: backlog.size,
      lagSeconds: backlog.lagSeconds,
      lagMaxSeconds: toMilliseconds(this.config.writeBehind.lagMax) / 1_000,
      ...(flusher ? { flusher: { flushedWrites: flusher.flushedWrites, batches: flusher.batches, errors: flusher.errors } } : {}),
    };
  }

  private async load(rowKey: string): Promise<WatchProgressWrite | undefined> {
    const { studentId, sessionId } = parseProgressRowKey(rowKey);
    const [row] = (await this.db.query(WATCH_PROGRESS_ROW_SQL, [studentId, sessionId])) as Array<{
      watchTimeSeconds: number;
      progressPercentage: number;
      completedAt: Date | null;
      lastWatchedAt: Date;
    }>;
    if (!row) return undefined;
    return {
      watchTimeSeconds: row.watchTimeSeconds,
      progressPercentage: row.progressPercentage,
      completedAt: row.completedAt?.toISOString() ?? null,
      lastWatchedAt: row.lastWatchedAt.toISOString(),
    };
  }
}
