import type { RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../../core/errors.js';
import { resolveTls, type TlsOptions } from '../tls.options.js';

/** TLS of the Redis connections: {@link TlsOptions}, used with a `rediss://` URL. */
export type RedisTlsOptions = TlsOptions;

/** What decides the TLS of the connections the Redis tier opens. */
export interface RedisTlsSource {
  client?: unknown;
  url?: string;
  tls?: RedisTlsOptions;
}

/**
 * The `tls` client option for the tier's own client. Every other connection the library opens to
 * Redis (the bus's subscriber, the lock) is that client or a `duplicate()` of it, which copies it.
 *
 * - `rediss://` URL: TLS, verifying the server's certificate unless `rejectUnauthorized: false`
 *   (ioredis alone would use the system CAs and no way to add one).
 * - `redis://` URL with `tls` set: refused, so that a configuration never reads as plaintext while
 *   meaning TLS, or the other way round.
 * - A client given: its own options decide, so `tls` next to it is refused.
 *
 * @param option the name of `tls` in errors. Default `redis.tls`.
 * @throws InvalidOptionError naming the option, e.g. `redis.tls.caFile` for a missing file.
 */
export function redisTlsOption(source: RedisTlsSource, option = 'redis.tls'): Pick<RedisOptions, 'tls'> {
  if (source.tls !== undefined && source.client !== undefined) {
    throw new InvalidOptionError(option, 'cannot apply to a client that was passed in; configure TLS on that client');
  }
  if (source.client !== undefined || source.url === undefined) return {};
  const scheme = /^([a-z]+):\/\//i.exec(source.url)?.[1]?.toLowerCase();
  if (scheme === 'rediss') return { tls: resolveTls(source.tls ?? {}, option) };
  if (source.tls !== undefined) throw new InvalidOptionError(option, 'is set but the url is not rediss:// (a redis:// url is plaintext); use a rediss:// url');
  return {};
}
