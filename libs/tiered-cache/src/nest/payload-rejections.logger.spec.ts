import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { serialize } from 'node:v8';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { logPayloadRejections } from './payload-rejections.logger.js';

describe('logPayloadRejections', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('rejection_log');
  });
  afterAll(() => fx.dispose());

  it('logs a forged key once, however often it is read, and each forged key', async () => {
    const integrity = { keys: [{ id: 'k', secret: 'a-secret-of-at-least-thirty-two-bytes' }] };
    const cache = await fx.create({ integrity, postgres: undefined, memory: false, bus: false });
    const warnings: string[] = [];
    logPayloadRejections(cache, { warn: (message: string) => warnings.push(message) });
    for (const key of ['forged:a', 'forged:b']) {
      for (let round = 0; round < 3; round++) {
        await fx.redis.client.hset(`${fx.redis.prefix}e:default:${key}`, { p: serialize('forged'), c: String(Date.now() * 1000), s: '9999999999999', e: '9999999999999', g: '' });
        expect(await cache.get(key)).toBeUndefined();
      }
    }
    expect(cache.stats().tiers.l2?.rejected).toBe(6);
    expect(warnings).toEqual([
      'Refused the l2 payload of key "forged:a" (unsigned) and removed it; see docs/security.md',
      'Refused the l2 payload of key "forged:b" (unsigned) and removed it; see docs/security.md',
    ]);
  });
});
