import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';

describe('TieredCache clone option', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('clone');
  });
  afterAll(async () => fx.dispose());

  it('by default hands every L1 hit the same object', async () => {
    const cache = await fx.create();
    const first = await cache.getOrSet('clone:off', async () => ({ items: [1] }));
    const second = await cache.getOrSet('clone:off', async () => ({ items: [2] }));
    expect(second).toBe(first);
    first.items.push(99);
    expect(await cache.get('clone:off')).toEqual({ items: [1, 99] });
  });

  it('keeps what L1 holds apart from what the loader and its callers receive', async () => {
    const cache = await fx.create({ clone: true });
    const loaded = await cache.getOrSet('clone:loaded', async () => ({ items: [1] }));
    loaded.items.push(99);
    const hit = await cache.getOrSet('clone:loaded', async () => ({ items: [2] }));
    expect(hit).toEqual({ items: [1] });
    hit.items.push(100);
    expect(await cache.get('clone:loaded')).toEqual({ items: [1] });
    expect(await cache.get('clone:loaded')).not.toBe(await cache.get('clone:loaded'));
  });

  it('hands out Buffers that do not share memory with the bytes L1 keeps', async () => {
    const cache = await fx.create({ clone: true });
    await cache.set('clone:bytes', { bytes: Buffer.from([1, 2]) });
    const first = await cache.get<{ bytes: Buffer }>('clone:bytes');
    first!.bytes[0] = 42;
    const second = await cache.get<{ bytes: Buffer }>('clone:bytes');
    expect(cache.stats().tiers.l1?.hits).toBe(2);
    expect([...second!.bytes]).toEqual([1, 2]);
  });

  it('gives callers coalesced onto one loader run objects of their own', async () => {
    const cache = await fx.create({ clone: true });
    const loader = countingLoader(() => ({ items: [1] }), 30);
    const [a, b] = await Promise.all([cache.getOrSet('clone:flight', loader), cache.getOrSet('clone:flight', loader)]);
    expect(loader.calls).toBe(1);
    expect(cache.stats().coalescedCalls).toBe(1);
    expect(a).not.toBe(b);
    a.items.push(99);
    expect(b).toEqual({ items: [1] });
  });

  it('copies an L2 hit before it is also kept in L1, and keeps Buffers Buffers', async () => {
    const writer = await fx.create();
    await writer.set('clone:remote', { bytes: Buffer.from([1, 2]), at: new Date(0) });
    const reader = await fx.create({ clone: true });
    const fromL2 = await reader.get<{ bytes: Buffer; at: Date }>('clone:remote');
    fromL2!.bytes[0] = 42; // the read has put the entry into L1 already
    const fromL1 = await reader.get<{ bytes: Buffer; at: Date }>('clone:remote', { tiers: ['l1'] });
    expect(reader.stats().tiers.l1?.hits).toBe(1);
    expect(Buffer.isBuffer(fromL1!.bytes)).toBe(true);
    expect([...fromL1!.bytes]).toEqual([1, 2]);
    expect(fromL1!.at.getTime()).toBe(0);
  });
});
