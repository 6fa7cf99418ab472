import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { withTimeout } from './with-timeout.js';

/**
 * The source-of-truth database, checked by a function the app supplies. Down (HTTP 503) when it
 * rejects or passes the timeout: without its database the app cannot serve.
 */
@Injectable()
export class SourceDatabaseHealthIndicator {
  constructor(private readonly health: HealthIndicatorService) {}

  async check<Key extends string>(key: Key, probe: (signal: AbortSignal) => Promise<unknown>, timeoutMs = 1_000): Promise<HealthIndicatorResult<Key>> {
    const session = this.health.check(key);
    const started = performance.now();
    try {
      await withTimeout(key, timeoutMs, probe);
      return session.up({ responseTimeMs: Math.round(performance.now() - started) });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}
