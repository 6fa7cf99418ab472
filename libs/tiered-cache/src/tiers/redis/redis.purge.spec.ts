import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep } from '../../../../../test/support/cache-fixture.js';
import { createTestRedis, type TestRedis } from '../../../../../test/support/isolation.js';
import { makeEntry } from '../testing/tier-conformance.js';
import { RedisTier } from './redis.tier.js';

// The tag hash would grow with every tag ever invalidated. A stamp can go once every entry created
// before it has expired: the longest lifetime a write carried bounds that.
describe('RedisTier.purgeTagStamps', () => {
  let redis: TestRedis;
  let tier: RedisTier;
  const tagKey = () => `${redis.prefix}tags`;
  beforeAll(async () => {
    redis = createTestRedis('redis_purge');
    tier = new RedisTier({ client: redis.client, keyPrefix: redis.prefix });
    await tier.ready();
  });
  afterAll(async () => {
    await tier.close();
    await redis.drop();
  });

  it('drops stamps older than the longest lifetime and keeps recent ones', async () => {
    const { entry, payload } = makeEntry('lives 1 s', { createdAt: await tier.now(), ttlMs: 1_000 });
    await tier.set('lifetime', entry, payload);
    const old = ['old-1', 'old-2', 'old-3', 'old-4', 'old-5'];
    const oldStamp = await tier.invalidateTags(old);
    await sleep(1_300);
    await tier.invalidateTags(['recent']);

    expect(await tier.purgeTagStamps({ batch: 2 })).toBe(old.length);

    for (const tag of old) expect(await redis.client.hexists(tagKey(), tag)).toBe(0);
    expect(await redis.client.hexists(tagKey(), 'recent')).toBe(1);
    // A dropped tag reads as the floor, never as less than the stamp it had.
    const after = await tier.tagStamps(old);
    for (const tag of old) expect(after.get(tag)).toBeGreaterThanOrEqual(oldStamp);
    expect(await tier.purgeTagStamps()).toBe(0);
  });

  it('keeps the stamp of a tag whose entries may still be alive', async () => {
    const createdAt = await tier.now();
    const { entry, payload } = makeEntry('long', { createdAt, ttlMs: 60_000, tags: ['alive'] });
    await tier.set('long', entry, payload);
    await tier.invalidateTags(['alive']);
    await tier.purgeTagStamps();
    expect(await redis.client.hexists(tagKey(), 'alive')).toBe(1);
    const read = await tier.get('long');
    expect(read.entry === undefined || read.tagStamps.get('alive')! >= createdAt).toBe(true);
  });
});
