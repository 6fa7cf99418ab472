import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config.error.js';
import { INSECURE_DEV_JWT_SECRET, loadConfig } from './config.loader.js';

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      database: { url: undefined, pgliteDir: '.data/pglite', migrationsRun: true },
      redisUrl: undefined,
      auth: { jwtSecret: INSECURE_DEV_JWT_SECRET, usingInsecureDefaultSecret: true, issuer: undefined, audience: undefined },
      cache: { namespace: 'app', keyPrefix: 'tc:', cleanupInterval: '1h', fleetInterval: '10s', trendsFlushInterval: '10s', metricsToken: undefined, defaultTtl: '5m', l1MaxEntries: 10_000, l1MaxBytes: 64 * 1024 * 1024 },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      DB_MIGRATIONS_RUN: 'false',
      AUTH_JWT_SECRET: 'x'.repeat(32),
      AUTH_JWT_ISSUER: 'https://auth.example.com',
      AUTH_JWT_AUDIENCE: 'shop-api',
      CACHE_NAMESPACE: 'shop',
      CACHE_KEY_PREFIX: 'shop:',
      CACHE_CLEANUP_INTERVAL: '10m',
      CACHE_FLEET_INTERVAL: '5s',
      CACHE_TRENDS_FLUSH_INTERVAL: '30s',
      METRICS_TOKEN: 'scrape-me',
      CACHE_DEFAULT_TTL: '30s',
      CACHE_L1_MAX_ENTRIES: '500',
      CACHE_L1_MAX_BYTES: '1048576',
    });
    expect(config).toMatchObject({
      port: 8080,
      database: { url: 'postgres://u:p@db:5432/app', migrationsRun: false },
      redisUrl: 'redis://cache:6379',
      auth: { jwtSecret: 'x'.repeat(32), usingInsecureDefaultSecret: false, issuer: 'https://auth.example.com', audience: 'shop-api' },
      cache: { namespace: 'shop', keyPrefix: 'shop:', cleanupInterval: '10m', fleetInterval: '5s', trendsFlushInterval: '30s', metricsToken: 'scrape-me', defaultTtl: '30s', l1MaxEntries: 500, l1MaxBytes: 1_048_576 },
    });
  });

  it('has HTTP limits with defaults, each settable', () => {
    expect(loadConfig({}).http).toEqual({
      bodyLimitBytes: 100 * 1024,
      bodyMaxDepth: 32,
      authFailures: { limit: 20, windowMs: 60_000 },
      admin: { limit: 300, windowMs: 60_000 },
      maxStreamsPerUser: 5,
    });
    const http = loadConfig({
      HTTP_BODY_LIMIT: '2048',
      HTTP_BODY_MAX_DEPTH: '8',
      RATE_LIMIT_AUTH_FAILURES: '3',
      RATE_LIMIT_AUTH_WINDOW: '30s',
      RATE_LIMIT_ADMIN: '50',
      RATE_LIMIT_ADMIN_WINDOW: '10m',
      SSE_MAX_STREAMS_PER_USER: '2',
    }).http;
    expect(http).toEqual({
      bodyLimitBytes: 2048,
      bodyMaxDepth: 8,
      authFailures: { limit: 3, windowMs: 30_000 },
      admin: { limit: 50, windowMs: 600_000 },
      maxStreamsPerUser: 2,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' })).toMatchObject({ port: 3000, database: { url: undefined } });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://db/app'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache'],
    ['DB_MIGRATIONS_RUN', 'maybe'],
    ['AUTH_JWT_SECRET', 'short'],
    ['AUTH_JWT_ISSUER', 'has space'],
    ['AUTH_JWT_AUDIENCE', 'x'.repeat(257)],
    ['CACHE_NAMESPACE', 'has space'],
    ['CACHE_KEY_PREFIX', 'glob*'],
    ['CACHE_CLEANUP_INTERVAL', 'often'],
    ['CACHE_FLEET_INTERVAL', 'often'],
    ['CACHE_TRENDS_FLUSH_INTERVAL', 'soon'],
    ['CACHE_DEFAULT_TTL', 'soon'],
    ['CACHE_L1_MAX_ENTRIES', '0'],
    ['CACHE_L1_MAX_BYTES', '1.5'],
    ['HTTP_BODY_LIMIT', '100kb'],
    ['HTTP_BODY_LIMIT', '10'],
    ['HTTP_BODY_MAX_DEPTH', '0'],
    ['HTTP_BODY_MAX_DEPTH', '1000'],
    ['RATE_LIMIT_AUTH_FAILURES', '-1'],
    ['RATE_LIMIT_AUTH_WINDOW', 'hourly'],
    ['RATE_LIMIT_AUTH_WINDOW', '10ms'],
    ['RATE_LIMIT_ADMIN', '0'],
    ['RATE_LIMIT_ADMIN_WINDOW', '2d'],
    ['SSE_MAX_STREAMS_PER_USER', 'many'],
  ])('rejects %s=%j, naming the variable', (variable, value) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('never echoes a malformed connection string, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres//user:hunter2@db' })).toThrow(/^(?!.*hunter2)/s);
  });
});
