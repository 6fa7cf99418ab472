import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestRedis, type TestRedis } from '../../../../../test/support/isolation.js';
import { makeEntry } from '../testing/tier-conformance.js';
import { tagsAreValid } from '../tier.js';
import { RedisTier } from './redis.tier.js';

async function served(tier: RedisTier, key: string): Promise<unknown> {
  const { entry, tagStamps } = await tier.get(key);
  return entry !== undefined && tagsAreValid(entry, tagStamps) ? entry.value : undefined;
}

// The tag hash alone goes (an allkeys-* eviction, a DEL): the entries stay, their stamps do not.
describe('RedisTier when its tag hash is lost', () => {
  let redis: TestRedis;
  let tier: RedisTier;
  beforeAll(async () => {
    redis = createTestRedis('redis_floor');
    tier = new RedisTier({ client: redis.client, keyPrefix: redis.prefix });
    await tier.ready();
  });
  afterAll(async () => {
    await tier.close();
    await redis.drop();
  });

  async function put(key: string, value: string, tags: string[] = [], createdAt?: number): Promise<void> {
    const { entry, payload } = makeEntry(value, { createdAt: createdAt ?? (await tier.now()), tags });
    await tier.set(key, entry, payload);
  }

  it('serves neither invalidated nor earlier entries, and serves entries written afterwards', async () => {
    await put('invalidated', 'old', ['lost-tag']);
    await put('untagged', 'old');
    await tier.invalidateTags(['lost-tag']);
    expect(await served(tier, 'invalidated')).toBeUndefined();
    expect(await served(tier, 'untagged')).toBe('old');
    const stampedBefore = await tier.now();

    await redis.client.del(`${redis.prefix}tags`);

    expect(await served(tier, 'invalidated')).toBeUndefined();
    expect(await served(tier, 'untagged')).toBeUndefined();
    await put('in-flight', 'late', [], stampedBefore);
    expect(await served(tier, 'in-flight')).toBeUndefined();
    await put('invalidated', 'new', ['lost-tag']);
    expect(await served(tier, 'invalidated')).toBe('new');
  });

  it('the batch read and write refuse entries stamped before the loss, as the single ones do', async () => {
    await put('batch-before-a', 'old');
    await put('batch-before-b', 'old', ['batch-lost-tag']);
    const stampedBefore = await tier.now();
    await redis.client.del(`${redis.prefix}tags`);
    const reads = await tier.getMany(['batch-before-a', 'batch-before-b']);
    expect(reads.map((read) => (read.entry !== undefined && tagsAreValid(read.entry, read.tagStamps) ? read.entry.value : undefined))).toEqual([undefined, undefined]);
    const late = makeEntry('late', { createdAt: stampedBefore });
    await tier.setMany([{ key: 'batch-in-flight', ...late }]);
    expect(await served(tier, 'batch-in-flight')).toBeUndefined();
    const fresh = makeEntry('new', { createdAt: await tier.now() });
    await tier.setMany([{ key: 'batch-after', ...fresh }]);
    expect(await served(tier, 'batch-after')).toBe('new');
  });

  it('answers a tag it has no record of with its floor, which is above every earlier stamp', async () => {
    const before = await tier.invalidateTags(['floor-probe']);
    await redis.client.del(`${redis.prefix}tags`);
    const stamps = await tier.tagStamps(['floor-probe', 'never-stamped']);
    expect(stamps.get('floor-probe')).toBeGreaterThan(before);
    expect(stamps.get('never-stamped')).toBe(stamps.get('floor-probe'));
    expect(stamps.get('never-stamped')).toBeLessThan(await tier.now());
  });
});
