import { InvalidOptionError, resolveTls, sslParameters, type TlsOptions } from '@tiered-cache/nestjs';
import { ConfigError } from './config.error.js';
import { flag, text, type Env } from './env-values.js';

/** Which variable holds each TLS option, so that the library's errors can name the variable. */
interface TlsVariables {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly rejectUnauthorized: string;
  readonly servername?: string;
}

const REDIS: TlsVariables = {
  ca: 'REDIS_TLS_CA',
  cert: 'REDIS_TLS_CERT',
  key: 'REDIS_TLS_KEY',
  servername: 'REDIS_TLS_SERVERNAME',
  rejectUnauthorized: 'REDIS_TLS_REJECT_UNAUTHORIZED',
};

const DATABASE: TlsVariables = {
  ca: 'DATABASE_SSL_CA',
  cert: 'DATABASE_SSL_CERT',
  key: 'DATABASE_SSL_KEY',
  rejectUnauthorized: 'DATABASE_SSL_REJECT_UNAUTHORIZED',
};

/**
 * `REDIS_TLS_*`: CA, client certificate and key (PEM file paths), expected host name, and whether
 * to verify (default true), for a `rediss://` `REDIS_URL`. Unset: none, and a `rediss://` url is
 * verified against the system CAs.
 * @throws ConfigError naming the variable: a file that cannot be read or parsed, a certificate
 *   without its key, any of them with a `redis://` url.
 */
export function loadRedisTls(env: Env, redisUrl: string | undefined): TlsOptions | undefined {
  const tls = read(env, REDIS);
  if (tls === undefined) return undefined;
  const first = firstSet(env, REDIS);
  if (redisUrl === undefined) throw new ConfigError(first, 'needs REDIS_URL (rediss://...)');
  if (!redisUrl.toLowerCase().startsWith('rediss://')) throw new ConfigError(first, 'needs a rediss:// REDIS_URL; redis:// is plaintext');
  return check(tls, REDIS);
}

/**
 * `DATABASE_SSL_*`: CA, client certificate and key (PEM file paths) and whether to verify
 * (default true). Any of them turns TLS on for the app's connection to `DATABASE_URL` (the pool
 * TypeORM owns, which the L3 tier uses) and for the LISTEN sessions. Unset: `DATABASE_URL`'s own
 * `sslmode` decides, as pg reads it.
 * @throws ConfigError naming the variable: a file that cannot be read or parsed, a certificate
 *   without its key, no `DATABASE_URL` (the embedded database has no network connection), or TLS
 *   parameters in `DATABASE_URL` as well (pg would let those win without a word).
 */
export function loadDatabaseTls(env: Env, databaseUrl: string | undefined): TlsOptions | undefined {
  const tls = read(env, DATABASE);
  if (tls === undefined) return undefined;
  const first = firstSet(env, DATABASE);
  if (databaseUrl === undefined) throw new ConfigError(first, 'needs DATABASE_URL: the embedded database has no network connection to secure');
  const inUrl = sslParameters(databaseUrl);
  if (inUrl.length > 0) throw new ConfigError(first, `cannot be combined with ${inUrl.join(', ')} in DATABASE_URL; configure TLS in one place`);
  return check(tls, DATABASE);
}

function read(env: Env, names: TlsVariables): TlsOptions | undefined {
  const tls: TlsOptions = {};
  const ca = text(env, names.ca);
  const cert = text(env, names.cert);
  const key = text(env, names.key);
  const servername = names.servername === undefined ? undefined : text(env, names.servername);
  const rejectUnauthorized = flag(env, names.rejectUnauthorized);
  if (ca !== undefined) tls.caFile = ca;
  if (cert !== undefined) tls.certFile = cert;
  if (key !== undefined) tls.keyFile = key;
  if (servername !== undefined) tls.servername = servername;
  if (rejectUnauthorized !== undefined) tls.rejectUnauthorized = rejectUnauthorized;
  return Object.keys(tls).length === 0 ? undefined : tls;
}

/** The library's own checks, now (files read and parsed), reported under the variable's name. */
function check(tls: TlsOptions, names: TlsVariables): TlsOptions {
  try {
    resolveTls(tls, 'tls');
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    const field = error.option.replace(/^tls\./, '').replace(/File$/, '') as keyof TlsVariables;
    const variable = names[field] ?? names.ca;
    const reason = error.message
      .replace(/^Invalid option '[^']*': /, '')
      .replace('(cert or certFile)', `(${names.cert})`)
      .replace('(key or keyFile)', `(${names.key})`);
    throw new ConfigError(variable, reason);
  }
  return tls;
}

function firstSet(env: Env, names: TlsVariables): string {
  return Object.values(names).find((name) => text(env, name) !== undefined)!;
}

/** Start-up warnings for TLS that encrypts but does not check whom it talks to. */
export function tlsWarnings(config: { readonly redisTls?: TlsOptions; readonly database: { readonly tls?: TlsOptions } }): { level: 'warn'; message: string }[] {
  const warnings: { level: 'warn'; message: string }[] = [];
  for (const [tls, variable, server] of [
    [config.redisTls, REDIS.rejectUnauthorized, 'Redis'],
    [config.database.tls, DATABASE.rejectUnauthorized, 'PostgreSQL'],
  ] as const) {
    if (tls?.rejectUnauthorized === false) {
      warnings.push({ level: 'warn', message: `${variable}=false: ${server}'s certificate is not verified, so anyone on the network path can read and change the traffic` });
    }
  }
  return warnings;
}
