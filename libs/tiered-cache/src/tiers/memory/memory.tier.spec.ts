import { describe, expect, it } from '@jest/globals';
import { TieredCache } from '../../core/tiered-cache.js';
import { makeEntry, describeTierConformance } from '../testing/tier-conformance.js';
import { MemoryTier } from './memory.tier.js';

describeTierConformance('MemoryTier', async () => ({ tier: new MemoryTier(), dispose: async () => undefined }));

describe('MemoryTier bounds', () => {
  it('evicts least-recently-used entries beyond its byte budget', async () => {
    const tier = new MemoryTier({ maxBytes: 10_000 });
    for (let i = 0; i < 10; i++) {
      const { entry } = makeEntry('x'.repeat(2_000), { createdAt: i + 1 });
      tier.setEntry(`k${i}`, entry);
    }
    expect(tier.byteSize).toBeLessThanOrEqual(10_000);
    expect(tier.peek('k9', Date.now())).toBeDefined();
    expect(tier.peek('k0', Date.now())).toBeUndefined();
  });

  it('evicts beyond its entry budget', () => {
    const tier = new MemoryTier({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) tier.setEntry(`k${i}`, makeEntry(i, { createdAt: i + 1 }).entry);
    expect(tier.entryCount).toBe(3);
  });

  it('treats a tag it has never seen as invalid when another tier owns the clock', () => {
    const tier = new MemoryTier({ authoritativeTags: false });
    tier.setEntry('k', makeEntry(1, { createdAt: 10, tags: ['unknown'] }).entry);
    expect(tier.peek('k', Date.now())).toBeUndefined();
    tier.setEntry('k', makeEntry(1, { createdAt: 10, tags: ['known'] }).entry);
    tier.learnStamps(new Map([['known', 5]]));
    expect(tier.peek('k', Date.now())?.value).toBe(1);
  });
});

describe('MemoryTier tag memo overflow', () => {
  const invalidateMany = async (tier: MemoryTier, count: number, label: string) => {
    for (let i = 0; i < count; i++) await tier.invalidateTags([`${label}:${i}`]);
  };

  it('never serves an invalidated entry again once the memo has overflowed (authoritative)', async () => {
    const tier = new MemoryTier({ maxTags: 10, authoritativeTags: true });
    const createdAt = await tier.now();
    tier.setEntry('victim', makeEntry('old', { createdAt, tags: ['victim'] }).entry);
    await tier.invalidateTags(['victim']);
    await invalidateMany(tier, 25, 'other');
    expect(tier.peek('victim', Date.now())).toBeUndefined();
    expect((await tier.get('victim')).entry).toBeUndefined();
  });

  it('keeps entries created after the evicted stamps, and stays within maxTags', async () => {
    const tier = new MemoryTier({ maxTags: 10, authoritativeTags: true });
    await invalidateMany(tier, 25, 'other');
    const createdAt = await tier.now();
    tier.setEntry('fresh', makeEntry('new', { createdAt, tags: ['never-invalidated'] }).entry);
    expect(tier.peek('fresh', Date.now())?.value).toBe('new');
    const stamps = await tier.tagStamps(['other:0', 'other:24']);
    // The evicted tag reads as the floor: at least its own stamp, below what came after.
    expect(stamps.get('other:0')).toBeGreaterThan(0);
    expect(stamps.get('other:0')).toBeLessThan(createdAt);
    expect(stamps.get('other:24')).toBeLessThan(createdAt);
    expect(tier.tagCount).toBe(10);
  });

  it('does not lower the floor on reset in authoritative mode', async () => {
    const tier = new MemoryTier({ maxTags: 10, authoritativeTags: true });
    const createdAt = await tier.now(); // say, a loader that started before the invalidation
    await tier.invalidateTags(['victim']);
    tier.reset();
    tier.setEntry('victim', makeEntry('old', { createdAt, tags: ['victim'] }).entry);
    expect(tier.peek('victim', Date.now())).toBeUndefined();
  });

  it('still treats an evicted tag as unknown when another tier owns the clock', async () => {
    const tier = new MemoryTier({ maxTags: 10, authoritativeTags: false });
    await invalidateMany(tier, 25, 'other');
    expect((await tier.tagStamps(['other:0'])).has('other:0')).toBe(false);
    expect((await tier.tagStamps(['other:24'])).has('other:24')).toBe(true);
  });

  it('in an L1-only cache, an invalidated entry is not served after more tags than maxTags', async () => {
    const cache = new TieredCache({ memory: { maxTags: 50 } });
    try {
      await cache.set('memo:victim', 'old', { tags: ['victim'] });
      await cache.invalidateTags(['victim']);
      for (let i = 0; i < 120; i++) await cache.invalidateTags([`memo:other:${i}`]);
      expect(await cache.get('memo:victim')).toBeUndefined();
    } finally {
      await cache.close();
    }
  });
});
