import type { Duration, TlsOptions } from '@tiered-cache/nestjs';
import type { CacheSecurityConfig } from './cache-security.config.js';
import type { HttpAdapterName } from './http-adapter.config.js';
import type { HttpLimitsConfig } from './http-limits.config.js';
import type { AlertsConfig } from './alerts.config.js';
import type { WriteBehindConfig } from './write-behind.config.js';

/** The application's settings, read once from the environment by {@link loadConfig}. */
export interface AppConfig {
  /** HTTP port. `PORT`, default 3000. */
  readonly port: number;
  /** `HTTP_ADAPTER`, default `express`: the platform Nest serves HTTP on. */
  readonly httpAdapter: HttpAdapterName;
  readonly database: DatabaseConfig;
  /** `REDIS_URL`. Unset: no L2 tier and no cross-instance bus. */
  readonly redisUrl: string | undefined;
  /** `REDIS_TLS_*` (file paths), with a `rediss://` url (docs/tls.md). Unset: TLS, if any, verified against the system CAs. */
  readonly redisTls?: TlsOptions;
  readonly auth: AuthConfig;
  readonly cache: CacheConfig;
  /** Body size and depth, rate limits, event streams per user (docs/http-hardening.md). */
  readonly http: HttpLimitsConfig;
  /** Alert thresholds and webhook (docs/alerts.md). */
  readonly alerts: AlertsConfig;
  /** Write-behind of the watch progress (docs/write-behind.md). */
  readonly writeBehind: WriteBehindConfig;
}

export interface DatabaseConfig {
  /** `DATABASE_URL`. Unset: embedded PGlite in {@link DatabaseConfig.pgliteDir}. */
  readonly url: string | undefined;
  /** `PGLITE_DIR`, default `.data/pglite`. Only read when `url` is unset. */
  readonly pgliteDir: string;
  /** `DB_MIGRATIONS_RUN`, default true: pending migrations run at start-up. */
  readonly migrationsRun: boolean;
  /** `DATABASE_SSL_*` (file paths): TLS of every connection to `url` (docs/tls.md). Unset: `url`'s `sslmode` decides. */
  readonly tls?: TlsOptions;
}

export interface AuthConfig {
  /** `AUTH_JWT_SECRET`: the HS256 key. */
  readonly jwtSecret: string;
  /** True when AUTH_JWT_SECRET was unset and the public development secret is in use. */
  readonly usingInsecureDefaultSecret: boolean;
  /** `AUTH_JWT_ISSUER`: when set, tokens must carry this `iss`. */
  readonly issuer: string | undefined;
  /** `AUTH_JWT_AUDIENCE`: when set, tokens must carry this `aud`. */
  readonly audience: string | undefined;
}

export interface CacheConfig {
  /** `CACHE_NAMESPACE`, default `app`. */
  readonly namespace: string;
  /**
   * `CACHE_KEY_PREFIX`, default `tc:`: prefix of every Redis key, the tag clock and the bus channel.
   * Apps sharing it share tags (a tag means the same data); give unrelated apps their own.
   */
  readonly keyPrefix: string;
  /** `CACHE_CLEANUP_INTERVAL`, default `1h`: how often expired L3 rows are removed. */
  readonly cleanupInterval: Duration;
  /** `CACHE_FLEET_INTERVAL`, default `10s`: time between two heartbeats; silent for three is `gone` (docs/fleet.md). */
  readonly fleetInterval: Duration;
  /** `CACHE_TRENDS_FLUSH_INTERVAL`, default `10s`: how often this instance writes its running minute (docs/trends.md). */
  readonly trendsFlushInterval: Duration;
  /** `METRICS_TOKEN`: when set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  /** `CACHE_DEFAULT_TTL`, default `5m`. */
  readonly defaultTtl: Duration;
  /** `CACHE_L1_MAX_ENTRIES`, default 10,000. */
  readonly l1MaxEntries: number;
  /** `CACHE_L1_MAX_BYTES`, default 64 MiB. */
  readonly l1MaxBytes: number;
  /** Signing and encryption of L2/L3 payloads and bus messages. */
  readonly security: CacheSecurityConfig;
}

/** Injection token of the {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
