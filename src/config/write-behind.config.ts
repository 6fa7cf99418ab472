import { toMilliseconds, type Duration } from '@tiered-cache/nestjs';
import { ConfigError } from './config.error.js';
import { duration, flag, integer, type Env } from './env-values.js';

/** Write-behind of the expert-session watch progress (docs/write-behind.md), read by {@link loadWriteBehind}. */
export interface WriteBehindConfig {
  /** `WRITE_BEHIND`, default false: progress writes are queued in Redis and flushed later. Needs `REDIS_URL`. */
  readonly enabled: boolean;
  /** `WRITE_BEHIND_FLUSHER`, default true: this instance competes for the flusher lease. */
  readonly flusher: boolean;
  /** `WRITE_BEHIND_BATCH_SIZE`, default 500: most queued writes per flushed batch. */
  readonly batchSize: number;
  /** `WRITE_BEHIND_FLUSH_INTERVAL`, default `200ms`: pause of the flusher when the queue is empty. */
  readonly flushInterval: Duration;
  /** `WRITE_BEHIND_CLAIM_IDLE`, default `30s`: a batch unacknowledged this long belonged to a dead flusher. */
  readonly claimIdle: Duration;
  /** `WRITE_BEHIND_LAG_MAX`, default `60s`: past this lag the health check reports degraded. */
  readonly lagMax: Duration;
  /**
   * `WRITE_BEHIND_ACK_DELAY`, default 0: a pause between a batch's database apply and its
   * acknowledgement, for fault drills (kill the flusher inside the window and watch the replay).
   */
  readonly ackDelay: Duration;
}

/**
 * Reads the write-behind settings.
 * @throws ConfigError naming the first variable that is malformed, or `WRITE_BEHIND` set without `REDIS_URL`.
 */
export function loadWriteBehind(env: Env, redisUrl: string | undefined): WriteBehindConfig {
  const enabled = flag(env, 'WRITE_BEHIND') ?? false;
  if (enabled && redisUrl === undefined) throw new ConfigError('WRITE_BEHIND', 'needs REDIS_URL: the queue of writes lives in Redis');
  return {
    enabled,
    flusher: flag(env, 'WRITE_BEHIND_FLUSHER') ?? true,
    batchSize: integer(env, 'WRITE_BEHIND_BATCH_SIZE', 500, 1, 10_000),
    flushInterval: atLeast(env, 'WRITE_BEHIND_FLUSH_INTERVAL', '200ms', 10),
    claimIdle: atLeast(env, 'WRITE_BEHIND_CLAIM_IDLE', '30s', 1_000),
    lagMax: atLeast(env, 'WRITE_BEHIND_LAG_MAX', '60s', 1_000),
    ackDelay: duration(env, 'WRITE_BEHIND_ACK_DELAY') ?? 0,
  };
}

function atLeast(env: Env, name: string, fallback: Duration, minMs: number): Duration {
  const value = duration(env, name) ?? fallback;
  if (toMilliseconds(value) < minMs) throw new ConfigError(name, `must be at least ${minMs} ms, got ${JSON.stringify(value)}`);
  return value;
}
