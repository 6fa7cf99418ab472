import { toMilliseconds } from '@tiered-cache/nestjs';
import { ConfigError } from './config.error.js';
import { integer, text, type Env } from './env-values.js';

/** At most `limit` events per `windowMs` (a fixed window that starts with the first event). */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Limits on hostile HTTP input, read by {@link loadHttpLimits}. See docs/http-hardening.md. */
export interface HttpLimitsConfig {
  /** `HTTP_BODY_LIMIT`, default 102,400 (100 KiB): larger JSON or form bodies get 413. */
  readonly bodyLimitBytes: number;
  /** `HTTP_BODY_MAX_DEPTH`, default 32: bodies nested deeper get 400. */
  readonly bodyMaxDepth: number;
  /** `RATE_LIMIT_AUTH_FAILURES` per `RATE_LIMIT_AUTH_WINDOW` (default 20 per 1m) per client address; then 429. */
  readonly authFailures: RateLimit;
  /** `RATE_LIMIT_ADMIN` per `RATE_LIMIT_ADMIN_WINDOW` (default 300 per 1m) per admin on `/admin/cache`; then 429. */
  readonly admin: RateLimit;
  /** `SSE_MAX_STREAMS_PER_USER`, default 5: event streams one user may have open at once per instance. */
  readonly maxStreamsPerUser: number;
}

/** A day: a longer window would only make a mistyped setting lock clients out for long. */
const MAX_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Reads the HTTP limits.
 * @throws ConfigError naming the first variable that is malformed.
 */
export function loadHttpLimits(env: Env): HttpLimitsConfig {
  return {
    // Below 1 KiB no ordinary request body fits; above 64 MiB a body is a memory attack.
    bodyLimitBytes: integer(env, 'HTTP_BODY_LIMIT', 100 * 1024, 1024, 64 * 1024 * 1024),
    // Deep enough for any DTO; far below the depth at which recursive code overflows the stack.
    bodyMaxDepth: integer(env, 'HTTP_BODY_MAX_DEPTH', 32, 1, 256),
    authFailures: {
      limit: integer(env, 'RATE_LIMIT_AUTH_FAILURES', 20, 1, 1_000_000),
      windowMs: window(env, 'RATE_LIMIT_AUTH_WINDOW', '1m'),
    },
    admin: {
      limit: integer(env, 'RATE_LIMIT_ADMIN', 300, 1, 1_000_000),
      windowMs: window(env, 'RATE_LIMIT_ADMIN_WINDOW', '1m'),
    },
    maxStreamsPerUser: integer(env, 'SSE_MAX_STREAMS_PER_USER', 5, 1, 10_000),
  };
}

function window(env: Env, name: string, fallback: string): number {
  const raw = text(env, name) ?? fallback;
  let ms: number;
  try {
    ms = toMilliseconds(raw, name);
  } catch {
    ms = Number.NaN;
  }
  if (!(ms >= 1000 && ms <= MAX_WINDOW_MS)) {
    throw new ConfigError(name, `must be a duration from 1s to 1d, like 30s, 5m, 1h, got ${JSON.stringify(raw)}`);
  }
  return ms;
}
