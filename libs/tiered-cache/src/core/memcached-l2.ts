import { PostgresBus } from '../sync/postgres.bus.js';
import type { MemcachedLock } from '../tiers/memcached/memcached.lock.js';
import { MemcachedTier } from '../tiers/memcached/memcached.tier.js';
import { loadPg } from '../tiers/optional-peer.js';
import type { PostgresTier } from '../tiers/postgres/postgres.tier.js';
import { pgListenClientFactory } from '../sync/pg-listen-client.factory.js';
import { InvalidOptionError } from './errors.js';
import type { TieredCacheOptions } from './options.js';
import type { TopologyContext } from './topology.js';

/** The Memcached L2 and the bus that goes with it, when `memcached` is configured. */
export interface MemcachedL2 {
  readonly tier: MemcachedTier;
  readonly bus: PostgresBus | undefined;
  readonly lock: MemcachedLock;
}

/**
 * Memcached has no durable place for tag stamps and no pub/sub: the stamps, the clear stamps and
 * the clock are L3's, and the bus is PostgreSQL NOTIFY on L3's database (docs/memcached.md).
 * @throws InvalidOptionError when `redis` is set too, or `postgres` is not.
 */
export function buildMemcachedL2(options: TieredCacheOptions, context: TopologyContext, postgres: PostgresTier | undefined): MemcachedL2 | undefined {
  const memcached = options.memcached;
  if (memcached === undefined) return undefined;
  assertOneL2(options);
  if (postgres === undefined) throw new InvalidOptionError('memcached', 'needs postgres (with a pool or a connectionString): tag stamps and the clock live in L3');
  let tier: MemcachedTier;
  try {
    tier = new MemcachedTier({ ...memcached, namespace: context.namespace, codec: context.codec, clock: postgres });
  } catch (error) {
    // L3 is built by now: a refused Memcached option must not leave its pool open.
    void postgres.close().catch(() => undefined);
    throw error;
  }
  const lock = tier.createLock();
  if (options.bus === false) return { tier, bus: undefined, lock };
  const pg = options.postgres!;
  const createClient = pg.connectionString
    ? pgListenClientFactory({ connectionString: pg.connectionString, ssl: pg.ssl, option: 'postgres.ssl' })
    : () => new (loadPg('The memcached option (L2)').Client)({ ...postgres.pool.options, keepAlive: true });
  const channel = (typeof options.bus === 'object' ? options.bus.channel : undefined) ?? `${memcached.keyPrefix ?? 'tc:'}bus`;
  const bus = new PostgresBus({ pool: postgres.pool, createClient, instanceId: context.instanceId, channel, signer: context.busSigner });
  return { tier, bus, lock };
}

/**
 * Checked before any tier connects, so that a refused configuration leaves nothing open.
 * @throws InvalidOptionError when both `redis` and `memcached` are set.
 */
export function assertOneL2(options: TieredCacheOptions): void {
  if (options.memcached !== undefined && options.redis !== undefined) {
    throw new InvalidOptionError('memcached', 'cannot be combined with redis: both are an L2, configure one');
  }
}
