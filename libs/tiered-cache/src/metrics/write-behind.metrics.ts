import { Counter, Gauge, type Registry } from 'prom-client';
import type { WriteBehindMonitor, WriteBehindStatus } from '../write-behind/write-behind.types.js';

/** One status read serves every series of a scrape. */
const READ_REUSE_MS = 500;

/**
 * The write-behind series, labelled by `queue`: backlog and lag (the same on every instance: the
 * queue is shared), the bound the health check and the `TieredCacheWriteBehindLag` alert compare
 * the lag with, and this process's flushed and failed totals. While the queue cannot be read, the
 * backlog and lag series are absent rather than zero.
 */
export function registerWriteBehindMetrics(monitor: WriteBehindMonitor, registers: Registry[]): void {
  let last: { at: number; read: Promise<WriteBehindStatus | undefined> } | undefined;
  const read = (): Promise<WriteBehindStatus | undefined> => {
    const now = Date.now();
    if (!last || now - last.at > READ_REUSE_MS) last = { at: now, read: monitor.status().catch(() => undefined) };
    return last.read;
  };
  const gauge = (name: string, help: string, pick: (status: WriteBehindStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers,
      async collect() {
        const status = await read();
        this.reset();
        if (status) this.set({ queue: status.queue }, pick(status));
      },
    });
  const counter = (name: string, help: string, pick: (flusher: NonNullable<WriteBehindStatus['flusher']>) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['queue'],
      registers,
      async collect() {
        const status = await read();
        this.reset();
        if (status?.flusher) this.inc({ queue: status.queue }, pick(status.flusher));
      },
    });
  gauge('tiered_cache_write_behind_backlog', 'Writes accepted by the write-behind queue and not yet flushed.', (s) => s.backlog);
  gauge('tiered_cache_write_behind_lag_seconds', 'Age of the oldest unflushed write-behind write (0 when none).', (s) => s.lagSeconds);
  gauge('tiered_cache_write_behind_lag_max_seconds', 'The lag past which the write-behind counts as degraded.', (s) => s.lagMaxSeconds);
  counter('tiered_cache_write_behind_flushed_total', 'Writes this process flushed into the database.', (f) => f.flushedWrites);
  counter('tiered_cache_write_behind_flush_errors_total', 'Failed flush runs of this process (the batch stays queued).', (f) => f.errors);
}
