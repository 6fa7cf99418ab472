import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { TcpProxy } from '../../../../test/support/tcp-proxy.js';
import { TieredCache } from './tiered-cache.js';

/**
 * `ready(timeoutMs)` is awaited at start-up (module init, health probes' first answer): it must
 * give up within its timeout whatever the servers do, never wait on a server that stopped answering.
 */
describe('TieredCache.ready', () => {
  let fx: CacheFixture;
  let proxy: TcpProxy;
  let redisProxy: TcpProxy;
  const opened: Array<{ close(): Promise<unknown> }> = [];
  beforeAll(async () => {
    fx = await createCacheFixture('ready');
    proxy = await TcpProxy.start({ port: 5432 });
    redisProxy = await TcpProxy.start({ port: Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379) });
  });
  afterEach(async () => {
    proxy.pass();
    redisProxy.pass();
    while (opened.length > 0) await opened.pop()!.close();
  });
  afterAll(async () => {
    await proxy.close();
    await redisProxy.close();
    await fx.dispose();
  });

  /** `ready`'s answer, or 'still waiting' if it has not answered long after its timeout. */
  const answerOf = async (cache: TieredCache, timeoutMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const stillWaiting = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('still waiting'), timeoutMs + 5_000);
    });
    try {
      return await Promise.race([cache.ready(timeoutMs), stillWaiting]);
    } finally {
      clearTimeout(timer);
    }
  };

  it('answers false within its timeout when a given Redis client never connects and PostgreSQL hangs', async () => {
    redisProxy.hang();
    proxy.hang();
    // A client of the user's, without a command timeout, queueing commands until it connects.
    const neverConnects = new Redis({ port: redisProxy.port, enableOfflineQueue: true, maxRetriesPerRequest: null });
    neverConnects.on('error', () => undefined);
    opened.push({ close: async () => neverConnects.disconnect() });
    const cache = new TieredCache({
      redis: { client: neverConnects, keyPrefix: fx.redis.prefix },
      postgres: { connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test`, schema: fx.db.schema },
      bus: false,
    });
    opened.push(cache);
    expect(await answerOf(cache, 300)).toBe(false);
  });

  it('answers false within its timeout when a given Redis client is connected but Redis and PostgreSQL then hang', async () => {
    const noCommandTimeout = new Redis({ port: redisProxy.port, enableOfflineQueue: true, maxRetriesPerRequest: null });
    noCommandTimeout.on('error', () => undefined);
    opened.push({ close: async () => noCommandTimeout.disconnect() });
    await new Promise((resolve) => noCommandTimeout.once('ready', resolve));
    redisProxy.hang();
    proxy.hang();
    const cache = new TieredCache({
      redis: { client: noCommandTimeout, keyPrefix: fx.redis.prefix },
      postgres: { connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test`, schema: fx.db.schema },
      bus: false,
    });
    opened.push(cache);
    expect(await answerOf(cache, 300)).toBe(false);
  });
});
