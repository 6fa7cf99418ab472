import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { until } from '../../../../test/support/eventually.js';
import { uniqueName } from '../../../../test/support/isolation.js';
import { TEST_REDIS_URL } from '../../../../test/support/services.js';
import { encodeEnvelope, type BusMessage } from './bus-message.js';
import { RedisBus } from './redis.bus.js';

/** Raw payloads a newer or broken instance might publish: valid envelopes, unusable messages. */
const MALFORMED: readonly string[] = [
  '{"origin":"x","sentAt":1,"message":{"kind":"delete","namespace":"default"}}',
  '{"origin":"x","sentAt":1,"message":{"kind":"delete","namespace":"default","keys":"a"}}',
  '{"origin":"x","sentAt":1,"message":{"kind":"tags","tags":"bus:t","stamp":1}}',
  '{"origin":"x","sentAt":1,"message":{"kind":"tags","tags":[1,2],"stamp":1}}',
  '{"origin":"x","sentAt":1,"message":{"kind":"tags","tags":["bus:t"],"stamp":"later"}}',
  '{"origin":"x","sentAt":1,"message":{"kind":"set","namespace":"default"}}',
  '{"origin":"x","sentAt":1,"message":{"kind":"future","namespace":"default"}}',
];

describe('RedisBus on a real channel', () => {
  let fx: CacheFixture;
  let publisher: Redis;

  beforeAll(async () => {
    fx = await createCacheFixture('bus');
    publisher = fx.redis.client;
  });
  afterAll(async () => {
    await fx.dispose();
  });

  it('survives malformed messages and still applies valid ones afterwards', async () => {
    const cache = await fx.create({ postgres: undefined });
    const other = await fx.create({ postgres: undefined });
    await cache.set('bus:k', 'cached', { tiers: ['l1'] });
    await cache.set('bus:tagged', 'cached', { tags: ['bus:t'] });
    expect(await cache.get('bus:tagged')).toBe('cached');

    for (const raw of MALFORMED) await publisher.publish(`${fx.redis.prefix}bus`, raw);
    // A marker after them: once it is applied, every malformed message before it was received.
    const marker: BusMessage = { kind: 'delete', namespace: 'default', keys: ['bus:k'] };
    await publisher.publish(`${fx.redis.prefix}bus`, encodeEnvelope({ origin: 'x', sentAt: Date.now(), message: marker }));
    await until(async () => (await cache.get('bus:k', { tiers: ['l1'] })) === undefined);

    // A stamp that was not a number must not have poisoned the tag memo either.
    await other.invalidateTags(['bus:t']);
    await until(async () => (await cache.get('bus:tagged')) === undefined);
  });

  it('counts what it drops, and one throwing handler does not stop the others', async () => {
    const channel = uniqueName('bus');
    const client = new Redis(TEST_REDIS_URL);
    const bus = new RedisBus({ client, instanceId: 'me', channel });
    try {
      await bus.ready();
      const received: BusMessage[] = [];
      bus.onMessage(() => {
        throw new Error('handler failure');
      });
      bus.onMessage((message) => received.push(message));
      await publisher.publish(channel, 'not json');
      await publisher.publish(channel, MALFORMED[0]!);
      await publisher.publish(channel, encodeEnvelope({ origin: 'x', sentAt: 1, message: { kind: 'clear', namespace: 'a' } }));
      await publisher.publish(channel, encodeEnvelope({ origin: 'x', sentAt: 1, message: { kind: 'clear', namespace: 'b' } }));
      await until(() => received.length === 2);
      expect(received).toEqual([
        { kind: 'clear', namespace: 'a' },
        { kind: 'clear', namespace: 'b' },
      ]);
      expect(bus.rejectedMessages).toBe(2);
      expect(bus.handlerFailures).toBe(2);
      // Own messages are neither delivered nor counted as rejected.
      await bus.publish({ kind: 'clear', namespace: 'own' });
      await publisher.publish(channel, encodeEnvelope({ origin: 'x', sentAt: 1, message: { kind: 'clear', namespace: 'c' } }));
      await until(() => received.length === 3);
      expect(received[2]).toEqual({ kind: 'clear', namespace: 'c' });
      expect(bus.rejectedMessages).toBe(2);
    } finally {
      await bus.close();
      await client.quit();
    }
  });
});
