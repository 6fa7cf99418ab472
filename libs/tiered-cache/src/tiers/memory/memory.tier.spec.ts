import { describe, expect, it } from '@jest/globals';
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
