import type { AppConfig } from './config.types.js';
import { tlsWarnings } from './connection-tls.config.js';

/** Where a PostgreSQL URL points, without its password. */
export function describeDatabaseUrl(raw: string): string {
  const url = new URL(raw);
  const port = url.port || '5432';
  return `PostgreSQL at ${url.hostname}:${port}${url.pathname}${url.username ? ` as ${decodeURIComponent(url.username)}` : ''}`;
}

/**
 * The start-up lines an operator needs to know what this process is connected to. Warnings come
 * with `level: 'warn'` so they stand out in the log.
 */
export function summarizeConfig(config: AppConfig): { level: 'log' | 'warn'; message: string }[] {
  const lines: { level: 'log' | 'warn'; message: string }[] = [];
  lines.push(
    config.database.url
      ? { level: 'log', message: `Database: ${describeDatabaseUrl(config.database.url)}` }
      : { level: 'log', message: `Database: embedded PGlite in ${config.database.pgliteDir} (DATABASE_URL not set; one connection, single process)` },
  );
  lines.push(
    config.redisUrl
      ? { level: 'log', message: `Redis: ${redactUrl(config.redisUrl)} (L2 tier and cross-instance bus on)` }
      : { level: 'warn', message: 'REDIS_URL not set: L2 and the cross-instance bus are off' },
  );
  lines.push({ level: 'log', message: `Migrations at start-up: ${config.database.migrationsRun ? 'on' : 'off (DB_MIGRATIONS_RUN=false)'}` });
  lines.push(...tlsWarnings(config));
  if (config.auth.usingInsecureDefaultSecret) {
    lines.push({
      level: 'warn',
      message: 'AUTH_JWT_SECRET not set: using the built-in INSECURE development secret. Anyone can mint tokens; set AUTH_JWT_SECRET outside development.',
    });
  }
  return lines;
}

function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}
