import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { coalesce } from './coalesce.js';
import { FlusherLease } from './flusher.lease.js';
import type { RedisStreamQueue } from './redis-stream.queue.js';
import type { BatchWriter, MergeWrites, QueuedWrite } from './write-behind.types.js';

/** Options of a {@link WriteBehindFlusher}. */
export interface WriteBehindFlusherOptions<T> {
  queue: RedisStreamQueue<T>;
  /** Client for the lease; may be the queue's. */
  client: Redis;
  merge: MergeWrites<T>;
  writer: BatchWriter<T>;
  /** Most queued writes per batch. Default 500. */
  batchSize?: number;
  /** Pause between runs when the queue was empty. Default 200 ms. */
  intervalMs?: number;
  /** A read entry unacknowledged this long belongs to a dead flusher and is taken over. Default 30,000 ms. */
  claimIdleMs?: number;
  /** Lease TTL: how long a dead flusher blocks the others. Default 10,000 ms. */
  leaseTtlMs?: number;
  /** Consumer name in the group. Default a random one per flusher. */
  consumer?: string;
  /** Called between the database apply and the acknowledgement (fault tests use it). */
  beforeAck?: (writes: readonly QueuedWrite<T>[]) => Promise<void>;
  /** Called with each failed run's error; the entries stay queued and are retried. */
  onError?: (error: unknown) => void;
}

/** What one {@link WriteBehindFlusher.flushOnce} did. */
export type FlushOutcome =
  | { readonly status: 'skipped'; readonly reason: 'another flusher holds the lease' }
  | { readonly status: 'flushed'; readonly writes: number; readonly rows: number };

/** Totals since the flusher was made, for the metrics. */
export interface FlusherStats {
  readonly flushedWrites: number;
  readonly flushedRows: number;
  readonly batches: number;
  readonly errors: number;
}

/**
 * Moves queued writes into the database: one process at a time (a {@link FlusherLease}), in batches
 * of the dead flushers' entries first, then its own unacknowledged ones, then new ones; coalesced to
 * one row per key, applied by the idempotent writer, then acknowledged.
 */
export class WriteBehindFlusher<T> {
  readonly consumer: string;
  private readonly lease: FlusherLease;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly claimIdleMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private totals = { flushedWrites: 0, flushedRows: 0, batches: 0, errors: 0 };

  constructor(private readonly options: WriteBehindFlusherOptions<T>) {
    this.consumer = options.consumer ?? `flusher-${randomUUID()}`;
    this.batchSize = options.batchSize ?? 500;
    this.intervalMs = options.intervalMs ?? 200;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
    this.lease = new FlusherLease(options.client, `${options.queue.stream}:flusher-lease`, options.leaseTtlMs ?? 10_000);
  }

  stats(): FlusherStats {
    return { ...this.totals };
  }

  /** Runs one batch. Throws what the writer or Redis threw; the batch stays queued. */
  async flushOnce(): Promise<FlushOutcome> {
    try {
      if (!(await this.lease.hold())) return { status: 'skipped', reason: 'another flusher holds the lease' };
      const writes = await this.nextBatch();
      if (writes.length === 0) return { status: 'flushed', writes: 0, rows: 0 };
      const rows = coalesce(writes, this.options.merge);
      await this.options.writer(rows);
      await this.options.beforeAck?.(writes);
      await this.options.queue.ack(writes.map((write) => write.id));
      this.totals.flushedWrites += writes.length;
      this.totals.flushedRows += rows.length;
      this.totals.batches++;
      return { status: 'flushed', writes: writes.length, rows: rows.length };
    } catch (error) {
      this.totals.errors++;
      throw error;
    }
  }

  /** Flushes in the background until {@link stop}: back to back while there is a backlog. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the batch in progress, and gives up the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.lease.release().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const run = this.flushOnce().then(
        (outcome) => (outcome.status === 'flushed' && outcome.writes > 0 ? 0 : this.intervalMs),
        (error: unknown) => {
          this.options.onError?.(error);
          return this.intervalMs;
        },
      );
      this.running = run;
      void run.then((next) => this.schedule(next));
    }, delayMs);
    this.timer.unref();
  }

  private async nextBatch(): Promise<QueuedWrite<T>[]> {
    const { queue } = this.options;
    const batch = await queue.claimStale(this.consumer, this.claimIdleMs, this.batchSize);
    // XAUTOCLAIM also returns our own idle entries; ownPending then lists them again.
    const seen = new Set(batch.map((write) => write.id));
    if (batch.length < this.batchSize) {
      for (const write of await queue.ownPending(this.consumer, this.batchSize)) {
        if (batch.length >= this.batchSize) break;
        if (!seen.has(write.id)) batch.push(write);
        seen.add(write.id);
      }
    }
    if (batch.length < this.batchSize) batch.push(...(await queue.readNew(this.consumer, this.batchSize - batch.length)));
    return batch;
  }
}
