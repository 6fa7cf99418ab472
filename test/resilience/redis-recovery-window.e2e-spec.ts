import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { closeRedisClient, redisClientOptions } from '../../libs/tiered-cache/src/tiers/redis/redis.tier.js';
import { createCacheFixture, sleep, type CacheFixture } from '../support/cache-fixture.js';
import { TEST_REDIS_URL } from '../support/services.js';

/**
 * The window between Redis answering again and the replay of the invalidations it missed, when
 * Redis kept its data (a hang, a network partition, a failover to a replica: not a restart, which
 * empties it). In-process, with the instance's own Redis connection dropped and reopened, so the
 * timing is exact. See docs/resilience.md, "Found while measuring".
 */
describe('Redis comes back with its data: the replay window', () => {
  let fx: CacheFixture;
  const clients: Redis[] = [];

  beforeAll(async () => {
    fx = await createCacheFixture('replaywin');
  });

  afterAll(async () => {
    await fx.dispose();
    await Promise.all(clients.map((client) => closeRedisClient(client)));
  });

  /** Closes the connection as an outage would (Redis keeps its data) and waits until it is down. */
  async function drop(client: Redis): Promise<void> {
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.disconnect();
    await ended;
  }

  /** A cache on a Redis connection the test can drop and reopen. */
  async function instance() {
    const client = new Redis(TEST_REDIS_URL, redisClientOptions(250));
    clients.push(client);
    const cache = await fx.create({ redis: { client, keyPrefix: fx.redis.prefix }, breaker: { failureThreshold: 1, openFor: 50 } });
    return { cache, client };
  }

  // After `invalidateTags()` resolved during the outage (stamped in L3 and in this instance's tag
  // memo, queued for Redis), the first L2 read once Redis answers is the breaker's half-open probe.
  // It must not return the pre-outage entry: the queued tags block it, and the breaker replays the
  // queue before it closes.
  it('does not serve an entry invalidated during the outage on the first read after Redis answers again', async () => {
    const { cache, client } = await instance();
    expect(await cache.getOrSet('rw:item', async () => 'before', { tags: ['rw:tag'] })).toBe('before');

    await drop(client); // Redis unreachable for this instance; its data stays
    await cache.invalidateTags(['rw:tag']); // resolves: stamped in L3 and the memo, queued for Redis
    expect(await cache.get('rw:item')).toBeUndefined(); // correct while Redis is away

    await client.connect();
    await sleep(100); // past openFor (50 ms), well before the 1 s recovery timer
    expect(await cache.get('rw:item')).toBeUndefined();
  });

  it('serves nothing stale once the replay has run (the recovery window)', async () => {
    const { cache, client } = await instance();
    expect(await cache.getOrSet('rw:item2', async () => 'before', { tags: ['rw:tag2'] })).toBe('before');
    await drop(client);
    await cache.invalidateTags(['rw:tag2']);
    await client.connect();
    await sleep(1_200); // the recovery timer replays the queued stamp
    expect(await cache.get('rw:item2')).toBeUndefined();
    expect(await cache.getOrSet('rw:item2', async () => 'after', { tags: ['rw:tag2'] })).toBe('after');
  });
});
