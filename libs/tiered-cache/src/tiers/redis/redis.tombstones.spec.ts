import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestRedis, type TestRedis } from '../../../../../test/support/isolation.js';
import { makeEntry } from '../testing/tier-conformance.js';
import { RedisTier } from './redis.tier.js';

// A reader on another instance fetched an entry from L3 just before a delete or clear, and copies
// it into L2 just after: L2 must refuse the copy.
describe('RedisTier deletes and clears as stamps', () => {
  let redis: TestRedis;
  let tier: RedisTier;
  let other: RedisTier;
  beforeAll(async () => {
    redis = createTestRedis('redis_tombstones');
    tier = new RedisTier({ client: redis.client, keyPrefix: redis.prefix, namespace: 'one', tombstoneTtlMs: 5_000 });
    other = new RedisTier({ client: redis.client, keyPrefix: redis.prefix, namespace: 'two' });
    await tier.ready();
  });
  afterAll(async () => {
    await tier.close();
    await other.close();
    await redis.drop();
  });

  async function write(on: RedisTier, key: string, value: string, createdAt: number): Promise<void> {
    const { entry, payload } = makeEntry(value, { createdAt });
    await on.set(key, entry, payload);
  }

  it('leaves a tombstone that expires after tombstoneTtlMs', async () => {
    await write(tier, 'gone', 'v', await tier.now());
    await tier.delete(['gone']);
    const key = tier.entryKey('gone');
    expect(await redis.client.hgetall(key)).toEqual({ c: expect.stringMatching(/^\d+$/) });
    const ttl = await redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('refuses a write stamped at or before the tombstone, accepts one stamped after', async () => {
    const before = await tier.now();
    await write(tier, 'tie', 'v', before);
    await tier.delete(['tie']);
    const tombstone = Number(await redis.client.hget(tier.entryKey('tie'), 'c'));
    expect(tombstone).toBeGreaterThan(before);
    await write(tier, 'tie', 'racing', tombstone);
    expect((await tier.get('tie')).entry).toBeUndefined();
    await write(tier, 'tie', 'next', tombstone + 1);
    expect((await tier.get('tie')).entry?.value).toBe('next');
  });

  it('refuses a write stamped before a delete of a key it never held', async () => {
    const before = await tier.now();
    await tier.delete(['never-held']);
    await write(tier, 'never-held', 'racing', before);
    expect((await tier.get('never-held')).entry).toBeUndefined();
  });

  it('refuses a write stamped before a clear of its namespace, not of another', async () => {
    const before = await tier.now();
    await tier.clear();
    await write(tier, 'cleared', 'racing', before);
    await write(other, 'cleared', 'elsewhere', before);
    expect((await tier.get('cleared')).entry).toBeUndefined();
    expect((await other.get('cleared')).entry?.value).toBe('elsewhere');
    await write(tier, 'cleared', 'after', await tier.now());
    expect((await tier.get('cleared')).entry?.value).toBe('after');
  });

  it('refuses writes stamped before a clear of every namespace, and hides what it missed', async () => {
    const before = await tier.now();
    await write(other, 'all', 'kept-before', before);
    await tier.clearAllNamespaces();
    expect((await other.get('all')).entry).toBeUndefined();
    await write(tier, 'all', 'racing', before);
    await write(other, 'all', 'racing', before);
    expect((await tier.get('all')).entry).toBeUndefined();
    expect((await other.get('all')).entry).toBeUndefined();
    await write(other, 'all', 'after', await other.now());
    expect((await other.get('all')).entry?.value).toBe('after');
  });
});
