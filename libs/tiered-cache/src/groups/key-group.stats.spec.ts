import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { InvalidOptionError } from '../core/errors.js';
import { prefixOf, resolveKeyGroupOptions } from './key-group.options.js';
import { mergeGroupSnapshots, sortGroups } from './key-group.report.js';
import { KeyGroupStats, OTHER_GROUP, type KeyGroupEntry } from './key-group.stats.js';

const find = (entries: KeyGroupEntry[], group: string) => entries.find((entry) => entry.group === group);

describe('prefixOf', () => {
  it('keeps the first depth segments, or the whole key when it has fewer', () => {
    expect(prefixOf('user:42:posts', ':', 1)).toBe('user');
    expect(prefixOf('user:42:posts', ':', 2)).toBe('user:42');
    expect(prefixOf('user', ':', 1)).toBe('user');
    expect(prefixOf('a::b', '::', 1)).toBe('a');
    expect(prefixOf('a::b::c', '::', 2)).toBe('a::b');
  });

  it('rejects bad options naming them', () => {
    expect(() => resolveKeyGroupOptions({ depth: 0 })).toThrow(InvalidOptionError);
    expect(() => resolveKeyGroupOptions({ depth: 0 })).toThrow(/groups\.depth/);
    expect(() => resolveKeyGroupOptions({ separator: '' })).toThrow(/groups\.separator/);
    expect(() => resolveKeyGroupOptions({ maxGroups: 1.5 })).toThrow(/groups\.maxGroups/);
  });
});

describe('KeyGroupStats on a three-tier cache', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('key_groups');
  });
  afterAll(async () => fx.dispose());

  it('counts reads, hits, loads, load time and bytes per prefix and per tag', async () => {
    const cache = await fx.create();
    const groups = new KeyGroupStats();
    cache.observe(groups.observer);

    await cache.getOrSet('user:1', async () => ({ name: 'a'.repeat(100) }), { tags: ['users'] }); // miss, load
    await cache.getOrSet('user:1', async () => ({ name: 'never' }), { tags: ['users'] }); // L1 hit
    await cache.getOrSet('user:2', async () => ({ name: 'b' }), { tags: ['users', 'vip'] }); // miss, load
    await cache.get('user:3'); // miss, no load
    await cache.set('product:9', { price: 1 }, { tags: ['products'] });
    await cache.get('product:9'); // L1 hit

    const { prefix, tag } = groups.snapshot();
    const users = find(prefix, 'user')!;
    expect(users).toMatchObject({ reads: 4, hits: 1, loads: 2, loadErrors: 0, writes: 2 });
    expect(users.bytesWritten).toBeGreaterThan(100);
    expect(users.loadMsTotal).toBeGreaterThan(0);
    expect(find(prefix, 'product')).toMatchObject({ reads: 1, hits: 1, loads: 0, writes: 1 });

    // Tags are learnt from the writes; the first load of a key counts for its tags once stored.
    expect(find(tag, 'users')).toMatchObject({ reads: 3, hits: 1, loads: 2, writes: 2 });
    expect(find(tag, 'vip')).toMatchObject({ reads: 1, hits: 0, loads: 1, writes: 1 });
    expect(find(tag, 'products')).toMatchObject({ reads: 1, hits: 1, writes: 1 });
  });

  it('counts a failed load as a load error, and a hit from L2 as a hit', async () => {
    const writer = await fx.create();
    const reader = await fx.create();
    const groups = new KeyGroupStats();
    reader.observe(groups.observer);
    await writer.set('order:1', { id: 1 });
    await reader.get('order:1'); // L2 hit on the other instance
    await expect(reader.getOrSet('order:2', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(find(groups.snapshot().prefix, 'order')).toMatchObject({ reads: 2, hits: 1, loads: 1, loadErrors: 1 });
  });

  it('stays within maxGroups: later groups are counted under (other)', async () => {
    const cache = await fx.create();
    const groups = new KeyGroupStats({ maxGroups: 3 });
    cache.observe(groups.observer);
    for (let i = 0; i < 10; i++) await cache.get(`g${i}:x`);
    const { prefix } = groups.snapshot();
    expect(prefix).toHaveLength(3);
    expect(find(prefix, OTHER_GROUP)).toMatchObject({ reads: 8 });
    expect(prefix.map((entry) => entry.group)).toEqual(['g0', 'g1', OTHER_GROUP]);
  });
});

describe('sortGroups and mergeGroupSnapshots', () => {
  const entry = (group: string, reads: number, hits: number, loads = 0, loadMsTotal = 0, bytesWritten = 0): KeyGroupEntry => ({
    group,
    reads,
    hits,
    loads,
    loadErrors: 0,
    loadMsTotal,
    loadMsMax: loadMsTotal,
    writes: 0,
    bytesWritten,
  });

  it('sums instances group by group and derives ratio and mean', () => {
    const merged = mergeGroupSnapshots(
      [
        { prefix: [entry('a', 10, 5, 2, 20)], tag: [] },
        { prefix: [entry('a', 10, 10, 2, 60), entry('b', 1, 0)], tag: [] },
      ],
      'prefix',
    );
    const rows = sortGroups(merged, 'reads', 'desc');
    expect(rows.map((row) => row.group)).toEqual(['a', 'b']);
    expect(rows[0]).toMatchObject({ reads: 20, hits: 15, hitRatio: 0.75, loads: 4, loadMsMean: 20, loadMsMax: 60 });
  });

  it('sorts by each field in both orders, groups without a value last', () => {
    const entries = [entry('low', 10, 1, 1, 5, 300), entry('high', 10, 9, 1, 50, 100), entry('idle', 0, 0)];
    expect(sortGroups(entries, 'hitRatio', 'asc').map((row) => row.group)).toEqual(['low', 'high', 'idle']);
    expect(sortGroups(entries, 'hitRatio', 'desc').map((row) => row.group)).toEqual(['high', 'low', 'idle']);
    expect(sortGroups(entries, 'loadMs', 'desc').map((row) => row.group)).toEqual(['high', 'low', 'idle']);
    expect(sortGroups(entries, 'bytes', 'desc').map((row) => row.group)).toEqual(['low', 'high', 'idle']);
  });
});
