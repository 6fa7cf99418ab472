import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { WriteBehindMonitor } from '../write-behind/write-behind.types.js';
import { withTimeout } from './with-timeout.js';

/**
 * A write-behind queue's health: `up` with its backlog and lag; `degraded` (HTTP 200) when the lag
 * passes its bound or the queue cannot be read (writes are refused then). Never throws.
 */
export async function checkWriteBehind<Key extends string>(
  health: HealthIndicatorService,
  monitor: WriteBehindMonitor,
  key: Key,
  timeoutMs: number,
): Promise<HealthIndicatorResult<Key>> {
  const session = health.check(key);
  try {
    const status = await withTimeout('write-behind status', timeoutMs, () => monitor.status());
    const data = { queue: status.queue, backlog: status.backlog, lagSeconds: round(status.lagSeconds), lagMaxSeconds: status.lagMaxSeconds };
    if (status.lagSeconds > status.lagMaxSeconds) {
      return session.degraded({ state: 'lagging', ...data, message: `oldest unflushed write is ${round(status.lagSeconds)} s old, over ${status.lagMaxSeconds} s` });
    }
    return session.up({ state: 'up', ...data });
  } catch (error) {
    return session.degraded({ state: 'down', message: `queue unreadable, writes are refused: ${(error as Error).message}` });
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
