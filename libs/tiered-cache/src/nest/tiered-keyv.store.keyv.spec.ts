import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import { InvalidKeyError } from '../core/errors.js';
import type { TieredCache } from '../core/tiered-cache.js';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { uniqueName } from '../../../../test/support/isolation.js';
import { TieredKeyvStore } from './tiered-keyv.store.js';

const HOUR = 3_600_000;

async function entries(keyv: Keyv): Promise<Array<[string, unknown]>> {
  const found: Array<[string, unknown]> = [];
  for await (const [key, value] of keyv.iterator!(undefined)) found.push([key as string, value]);
  return found.sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('TieredKeyvStore under Keyv', () => {
  let fixture: CacheFixture;
  let cache: TieredCache;
  beforeAll(async () => {
    fixture = await createCacheFixture('keyv_store');
    cache = await fixture.create({ namespace: uniqueName('kv'), defaults: { ttl: '1h' } });
  });
  afterAll(async () => fixture.dispose());

  describe('TTL', () => {
    it("reports the expiry the tiers enforce for an entry set without a TTL: Keyv's raw read and cache-manager's ttl()", async () => {
      const keyv = new Keyv({ store: new TieredKeyvStore(cache), namespace: uniqueName('ttl') });
      const before = Date.now();
      await keyv.set('no-ttl', { n: 1 });
      const raw = await keyv.get<{ n: number }>('no-ttl', { raw: true });
      expect(raw?.value).toEqual({ n: 1 });
      expect(raw?.expires).toBeGreaterThanOrEqual(before + HOUR);
      expect(raw?.expires).toBeLessThanOrEqual(Date.now() + HOUR);

      const manager = createCache({ stores: [keyv] });
      expect(await manager.ttl('no-ttl')).toBe(raw?.expires);
    });

    it('uses defaultTtl over the cache default, and keeps a TTL Keyv was given', async () => {
      const keyv = new Keyv({ store: new TieredKeyvStore(cache, { defaultTtl: '10m' }), namespace: uniqueName('ttl') });
      const before = Date.now();
      await keyv.set('default', 1);
      await keyv.set('given', 2, 30_000);
      const byDefault = (await keyv.get('default', { raw: true }))?.expires as number;
      expect(byDefault - before).toBeGreaterThanOrEqual(600_000);
      expect(byDefault - Date.now()).toBeLessThanOrEqual(600_000);
      const given = (await keyv.get('given', { raw: true }))?.expires as number;
      expect(given - Date.now()).toBeLessThanOrEqual(30_000);
    });

    it('writes the expiry into envelopes of other JSON serializers, an explicit "expires": null, and unserialized envelopes', async () => {
      const withNull = new Keyv({
        store: new TieredKeyvStore(cache),
        namespace: uniqueName('ttl'),
        serialize: (data) => JSON.stringify({ value: data.value, expires: data.expires ?? null }),
        deserialize: (text) => JSON.parse(text as string),
      });
      await withNull.set('k', 'v');
      expect((await withNull.get('k', { raw: true }))?.expires).toBeGreaterThan(Date.now() + HOUR - 5_000);
      expect(await withNull.get('k')).toBe('v');

      const unserialized = new Keyv({ store: new TieredKeyvStore(cache), namespace: uniqueName('ttl'), serialize: undefined, deserialize: undefined });
      await unserialized.set('k', { deep: [1, 2] });
      const raw = await unserialized.get('k', { raw: true });
      expect(raw?.value).toEqual({ deep: [1, 2] });
      expect(raw?.expires).toBeGreaterThan(Date.now() + HOUR - 5_000);
    });
  });

  describe('iterator', () => {
    it('lists a key longer than the engine hashes under its own name, and reads, deletes and clears it', async () => {
      const keyv = new Keyv({ store: new TieredKeyvStore(cache), namespace: uniqueName('long') });
      const long = `/search?q=${'x'.repeat(400)}`;
      expect(cache.storageKey(`~kv:${keyv.namespace}:${keyv.namespace}:${long}`)).not.toContain(long); // the engine would hash it
      await keyv.set(long, 'long value');
      await keyv.set('short', 'short value');
      expect(await keyv.get(long)).toBe('long value');
      expect(await entries(keyv)).toEqual([
        [long, 'long value'],
        ['short', 'short value'],
      ]);
      expect(await keyv.delete(long)).toBe(true);
      expect(await keyv.get(long)).toBeUndefined();
      await keyv.set(long, 'again');
      await keyv.clear();
      expect(await entries(keyv)).toEqual([]);
    });

    it('lists what only L1 holds when the store uses L1 alone', async () => {
      const store = new TieredKeyvStore(cache, { tiers: ['l1'] });
      const keyv = new Keyv({ store, namespace: uniqueName('l1') });
      await keyv.set('a', 1);
      await keyv.set('b', 2);
      const peer = await fixture.create({ namespace: cache.namespace, memory: false });
      expect(await peer.get(`~kv:${keyv.namespace}:${keyv.namespace}:a`)).toBeUndefined(); // not in L2/L3
      // Keyv offers iterator() only for backends it knows to list; the store's own works on L1.
      expect(store.opts.url).toContain('tiers=memory');
      const listed: unknown[] = [];
      for await (const entry of store.iterator(keyv.namespace)) listed.push(entry);
      expect(listed).toHaveLength(2);
    });

    it('leaves out entries deleted or invalidated since they were written, and other namespaces', async () => {
      const namespace = uniqueName('gone');
      const keyv = new Keyv({ store: new TieredKeyvStore(cache), namespace });
      const other = new Keyv({ store: new TieredKeyvStore(cache), namespace: `${namespace}x` });
      await Promise.all([keyv.set('kept', 1), keyv.set('deleted', 2), other.set('kept', 3)]);
      await keyv.delete('deleted');
      expect(await entries(keyv)).toEqual([['kept', 1]]);
      await keyv.clear();
      await keyv.set('after', 4);
      expect(await entries(keyv)).toEqual([['after', 4]]);
      expect(await entries(other)).toEqual([['kept', 3]]);
    });
  });

  describe('errors', () => {
    it('emits error when a tier cannot be listed, and lists the other tiers', async () => {
      // Redis at a port nothing listens on: real connection failures, no stand-in.
      const broken = await fixture.create({ namespace: uniqueName('kv'), redis: { url: 'redis://127.0.0.1:1' } });
      const keyv = new Keyv({ store: new TieredKeyvStore(broken), namespace: 'errors' });
      const errors: Error[] = [];
      keyv.on('error', (error: Error) => errors.push(error));
      await keyv.set('a', 1);
      expect(await entries(keyv)).toEqual([['a', 1]]);
      expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('tier l2')]);
    });

    it('emits error for a failed read, and rejects without a listener instead of crashing', async () => {
      const keyv = new Keyv({ store: new TieredKeyvStore(cache), namespace: 'errors' });
      const errors: Error[] = [];
      keyv.on('error', (error: Error) => errors.push(error));
      expect(await keyv.get('nul\u0000key')).toBeUndefined(); // Keyv swallows a store's failed get
      expect(errors.map((error) => error.name)).toEqual(['InvalidKeyError']);

      const alone = new TieredKeyvStore(cache);
      await expect(alone.get('nul\u0000key')).rejects.toBeInstanceOf(InvalidKeyError);
    });
  });
});
