import { assertNamespace } from '@tiered-cache/nestjs';
import { loadAlerts } from './alerts.config.js';
import { loadCacheSecurity } from './cache-security.config.js';
import { ConfigError } from './config.error.js';
import { duration, flag, integer, text, type Env } from './env-values.js';
import type { AppConfig } from './config.types.js';
import { loadDatabaseTls, loadRedisTls } from './connection-tls.config.js';
import { loadHttpAdapter } from './http-adapter.config.js';
import { loadHttpLimits } from './http-limits.config.js';
import { loadWriteBehind } from './write-behind.config.js';

/**
 * Public, well-known development key. It exists so `npm start` works on a fresh clone; the app
 * logs a warning whenever it is used, because anyone can mint tokens with it.
 */
export const INSECURE_DEV_JWT_SECRET = 'insecure-development-secret-do-not-use-in-production';

/** HS256 keys shorter than the hash output (32 bytes) are weak (RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32;

/**
 * Reads and validates the settings.
 * @throws ConfigError naming the first variable that is malformed.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  return {
    port: integer(env, 'PORT', 3000, 1, 65_535),
    httpAdapter: loadHttpAdapter(env),
    database: {
      url: databaseUrl,
      pgliteDir: text(env, 'PGLITE_DIR') ?? '.data/pglite',
      migrationsRun: bool(env, 'DB_MIGRATIONS_RUN', true),
      tls: loadDatabaseTls(env, databaseUrl),
    },
    redisUrl,
    redisTls: loadRedisTls(env, redisUrl),
    auth: jwtSecret(env),
    cache: {
      namespace: namespace(env, 'CACHE_NAMESPACE', 'app'),
      keyPrefix: keyPrefix(env, 'CACHE_KEY_PREFIX', 'tc:'),
      cleanupInterval: duration(env, 'CACHE_CLEANUP_INTERVAL') ?? '1h',
      fleetInterval: duration(env, 'CACHE_FLEET_INTERVAL') ?? '10s',
      trendsFlushInterval: duration(env, 'CACHE_TRENDS_FLUSH_INTERVAL') ?? '10s',
      metricsToken: text(env, 'METRICS_TOKEN'),
      defaultTtl: duration(env, 'CACHE_DEFAULT_TTL') ?? '5m',
      l1MaxEntries: integer(env, 'CACHE_L1_MAX_ENTRIES', 10_000, 1, Number.MAX_SAFE_INTEGER),
      l1MaxBytes: integer(env, 'CACHE_L1_MAX_BYTES', 64 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
      security: loadCacheSecurity(env),
    },
    http: loadHttpLimits(env),
    alerts: loadAlerts(env),
    writeBehind: loadWriteBehind(env, redisUrl),
  };
}

/** The token settings alone (secret, issuer, audience), for tools (the token script) that need nothing else. */
export function jwtSecret(env: Env = process.env): AppConfig['auth'] {
  const claims = { issuer: claim(env, 'AUTH_JWT_ISSUER'), audience: claim(env, 'AUTH_JWT_AUDIENCE') };
  const secret = text(env, 'AUTH_JWT_SECRET');
  if (secret === undefined) return { jwtSecret: INSECURE_DEV_JWT_SECRET, usingInsecureDefaultSecret: true, ...claims };
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError('AUTH_JWT_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes long (HS256 key), got ${Buffer.byteLength(secret, 'utf8')}`);
  }
  return { jwtSecret: secret, usingInsecureDefaultSecret: false, ...claims };
}

/** An `iss` or `aud` value: a token carries it verbatim, so no spaces or control characters. */
function claim(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw !== undefined && !/^[\x21-\x7e]{1,256}$/.test(raw)) {
    throw new ConfigError(name, `must be 1-256 printable ASCII characters without spaces, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Never echo the value: connection strings carry passwords.
    throw new ConfigError(name, `is not a valid URL (expected ${protocols.map((p) => `${p}//...`).join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${parsed.protocol}//`);
  }
  return raw;
}

function keyPrefix(env: Env, name: string, fallback: string): string {
  const raw = text(env, name) ?? fallback;
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(raw)) {
    throw new ConfigError(name, `must be 1-64 characters of A-Z a-z 0-9 _ . : -, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function namespace(env: Env, name: string, fallback: string): string {
  const raw = text(env, name) ?? fallback;
  try {
    return assertNamespace(raw);
  } catch {
    throw new ConfigError(name, `must be 1-64 characters of A-Z a-z 0-9 _ . -, got ${JSON.stringify(raw)}`);
  }
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  return flag(env, name) ?? fallback;
}
