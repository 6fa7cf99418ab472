import type { Redis, RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../../core/errors.js';
import { loadIoredis } from '../optional-peer.js';
import { resolveTls, type TlsOptions } from '../tls.options.js';
import { redisTlsOption, type RedisTlsSource } from './redis-tls.js';

/** One Sentinel's address. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * L2 on a master with replicas managed by Redis Sentinel: the client asks the sentinels for the
 * current master, connects to it, and after a failover reconnects to the promoted replica. Reads
 * go to the master only, since a replica may be behind it (a stale tag stamp there would serve an
 * invalidated entry). See docs/scaling.md.
 */
export interface RedisSentinelOptions {
  /** At least one sentinel; the client tries them in order and learns the others from them. */
  sentinels: SentinelAddress[];
  /** The master group name the sentinels monitor (`sentinel monitor <name> ...`). */
  name: string;
  /** ACL user and password of the data nodes (master and replicas). */
  username?: string;
  password?: string;
  /** ACL user and password of the sentinels themselves, when they require one. */
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** TLS to the data nodes. Checked at construction, like `redis.tls`. */
  tls?: TlsOptions;
  /** TLS to the sentinels. */
  sentinelTls?: TlsOptions;
}

/** What decides how the Redis tier connects: a client, a url, or sentinels. */
export interface RedisConnectionSource extends RedisTlsSource {
  sentinel?: RedisSentinelOptions;
}

/**
 * Refuses a sentinel setting that cannot work, naming the field.
 * @throws InvalidOptionError e.g. `redis.sentinel.sentinels[1].port`.
 */
export function checkSentinelOptions(source: RedisConnectionSource): void {
  const sentinel = source.sentinel;
  if (sentinel === undefined) return;
  if (source.client !== undefined) throw new InvalidOptionError('redis.sentinel', 'cannot apply to a client that was passed in; configure sentinels on that client');
  if (source.url !== undefined) throw new InvalidOptionError('redis.sentinel', 'cannot be combined with redis.url: the sentinels name the master');
  if (source.tls !== undefined) throw new InvalidOptionError('redis.tls', 'does not apply with redis.sentinel; use redis.sentinel.tls (data nodes) and redis.sentinel.sentinelTls');
  if (typeof sentinel.name !== 'string' || sentinel.name.trim() === '') throw new InvalidOptionError('redis.sentinel.name', 'must be the master group name the sentinels monitor');
  if (!Array.isArray(sentinel.sentinels) || sentinel.sentinels.length === 0) throw new InvalidOptionError('redis.sentinel.sentinels', 'must list at least one sentinel');
  sentinel.sentinels.forEach((address, index) => {
    if (typeof address?.host !== 'string' || address.host === '') throw new InvalidOptionError(`redis.sentinel.sentinels[${index}].host`, 'must be a host name or address');
    if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65_535) {
      throw new InvalidOptionError(`redis.sentinel.sentinels[${index}].port`, `must be a port number (1-65535), got ${String(address.port)}`);
    }
  });
}

/** Client options of a Sentinel-managed master: follow failovers, never read a replica. */
function sentinelClientOptions(sentinel: RedisSentinelOptions): RedisOptions {
  const dataTls = sentinel.tls && resolveTls(sentinel.tls, 'redis.sentinel.tls');
  const sentinelTls = sentinel.sentinelTls && resolveTls(sentinel.sentinelTls, 'redis.sentinel.sentinelTls');
  return {
    sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
    name: sentinel.name,
    role: 'master',
    ...(sentinel.username !== undefined ? { username: sentinel.username } : {}),
    ...(sentinel.password !== undefined ? { password: sentinel.password } : {}),
    ...(sentinel.sentinelUsername !== undefined ? { sentinelUsername: sentinel.sentinelUsername } : {}),
    ...(sentinel.sentinelPassword !== undefined ? { sentinelPassword: sentinel.sentinelPassword } : {}),
    ...(dataTls ? { tls: dataTls } : {}),
    ...(sentinelTls ? { sentinelTLS: sentinelTls, enableTLSForSentinelMode: true } : {}),
    // Sentinels announce a switch on +switch-master: reconnect then rather than on the next error.
    failoverDetector: true,
    // A master demoted by a failover answers writes with READONLY until the client reconnects.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
}

/**
 * The tier's client: the one passed in (after refusing settings that would be ignored beside it), or
 * one built from a url or sentinels, with `base` (timeouts, retry) applied.
 * Connections duplicated from it (the bus's subscriber) follow the same master.
 * @throws InvalidOptionError for a bad TLS or sentinel setting, before anything connects.
 */
export function createRedisClient(source: RedisConnectionSource, base: RedisOptions): Redis {
  if (source.client !== undefined) {
    // A client passed in is used as it is: a TLS or sentinel setting beside it would be ignored.
    checkSentinelOptions(source);
    redisTlsOption(source);
    return source.client as Redis;
  }
  checkSentinelOptions(source);
  const { Redis: RedisClient } = loadIoredis('The redis option (L2)');
  if (source.sentinel) return new RedisClient({ ...base, ...sentinelClientOptions(source.sentinel) });
  return new RedisClient(source.url!, { ...base, ...redisTlsOption(source) });
}
