import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidKeyError, LoaderTimeoutError, MissingScopeError, SerializationError } from '../core/errors.js';
import { TieredCache } from '../core/tiered-cache.js';
import { runWithCacheContext } from './cache-context.js';
import { argumentsKey, stableHash } from './stable-hash.js';
import { ArticlesService } from './testing/articles.service.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';

describe('@Cached', () => {
  let tiers: NestTestTiers;
  beforeAll(async () => {
    tiers = await createNestTestTiers('cached');
  });
  afterAll(async () => tiers.dispose());

  async function setup() {
    const options = tiers.options();
    const moduleRef = await tiers.start({ providers: [ArticlesService] }, options);
    return { articles: moduleRef.get(ArticlesService), cache: moduleRef.get(TieredCache), namespace: options.namespace! };
  }

  describe('default key', () => {
    it('runs the method once for equal arguments, whatever the key order of plain objects', async () => {
      const { articles } = await setup();
      const first = await articles.search({ a: 1, b: { c: 2, d: [3, { e: 4, f: 5 }] } }, 1);
      const second = await articles.search({ b: { d: [3, { f: 5, e: 4 }], c: 2 }, a: 1 }, 1);
      expect(second).toEqual(first);
      expect(articles.calls.search).toBe(1);
    });

    it('stores under ClassName.methodName: and the argument hash, in the shared tiers', async () => {
      const { articles, namespace } = await setup();
      const value = await articles.search({ q: 'cats' }, 2);
      const peer = await tiers.peer(namespace);
      expect(await peer.get(`ArticlesService.search:${stableHash([{ q: 'cats' }, 2])}`)).toEqual(value);
    });

    it('tells apart arguments that JSON would conflate, and matches equal Dates and BigInts', async () => {
      const { articles } = await setup();
      const distinct = () => [
        {},
        { a: undefined },
        { a: null },
        { a: 1 },
        { a: '1' },
        { a: 1n },
        { a: new Date(0) },
        { a: new Date(1) },
        { a: [1, 2] },
        { a: [2, 1] },
      ];
      for (const filter of distinct()) await articles.search(filter);
      expect(articles.calls.search).toBe(10);
      for (const filter of distinct()) await articles.search(filter);
      expect(articles.calls.search).toBe(10);
    });
  });

  it('passes the resilience options (here a hard timeout) through to the engine', async () => {
    const { articles } = await setup();
    await expect(articles.tooSlow()).rejects.toThrow(LoaderTimeoutError);
  });

  describe('custom key', () => {
    it('uses what the key function returns as the key', async () => {
      const { articles, cache, namespace } = await setup();
      expect(await articles.byId('1')).toMatchObject({ title: 'One' });
      const peer = await tiers.peer(namespace);
      expect(await peer.get('article:1')).toMatchObject({ title: 'One' });
      await articles.byId('1');
      expect(articles.calls.byId).toBe(1);
      await cache.delete('article:1');
      await articles.byId('1');
      expect(articles.calls.byId).toBe(2);
    });

    it('refuses a key in the reserved ~ space, where scoped entries live', async () => {
      const { articles } = await setup();
      await expect(articles.rawKey('~user:alice:secrets')).rejects.toBeInstanceOf(InvalidKeyError);
      expect(articles.calls.rawKey).toBeUndefined();
      expect(await articles.rawKey('plain')).toBe('plain#1');
    });

    it('refuses a scoped key function that returns no string, instead of keying by "undefined"', async () => {
      const { articles } = await setup();
      await runWithCacheContext({ userId: 'erin' }, async () => {
        await expect(articles.userSlot()).rejects.toBeInstanceOf(InvalidKeyError);
        expect(await articles.userSlot('a')).toBe('a#1');
      });
      expect(articles.calls.userSlot).toBe(1);
    });
  });

  describe('tags', () => {
    it('tags an entry from the arguments', async () => {
      const { articles, cache } = await setup();
      await articles.byId('1');
      await articles.byId('2');
      await cache.invalidateTags(['article:1']);
      await articles.byId('1');
      await articles.byId('2');
      expect(articles.calls.byId).toBe(3);
    });

    it('tags an entry from the result', async () => {
      const { articles, cache } = await setup();
      expect((await articles.byAuthor('ann')).map((a) => a.id)).toEqual(['1', '7']);
      await articles.byAuthor('bob');
      await cache.invalidateTags(['article:7']);
      await articles.byAuthor('ann');
      await articles.byAuthor('bob');
      expect(articles.calls.byAuthor).toBe(3);
    });
  });

  describe('scope', () => {
    it("keeps one entry per user: two users never share, each reads its own", async () => {
      const { articles, namespace } = await setup();
      const asAlice = () => runWithCacheContext({ userId: 'alice' }, () => articles.myDrafts());
      const asBob = () => runWithCacheContext({ userId: 'bob' }, () => articles.myDrafts());
      expect(await asAlice()).toEqual({ run: 1 });
      expect(await asBob()).toEqual({ run: 2 });
      expect(await asAlice()).toEqual({ run: 1 });
      expect(await asBob()).toEqual({ run: 2 });
      expect(articles.calls.myDrafts).toBe(2);
      const peer = await tiers.peer(namespace);
      expect(await peer.get(`~user:alice:ArticlesService.myDrafts:${argumentsKey([])}`)).toEqual({ run: 1 });
    });

    it('keeps the context across awaits inside the context', async () => {
      const { articles } = await setup();
      const result = await runWithCacheContext({ userId: 'carol' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return articles.myDrafts();
      });
      expect(result).toEqual({ run: 1 });
    });

    it('throws MissingScopeError without a principal, and does not run the method', async () => {
      const { articles } = await setup();
      await expect(articles.myDrafts()).rejects.toBeInstanceOf(MissingScopeError);
      await expect(runWithCacheContext({ tenantId: 't1' }, () => articles.myDrafts())).rejects.toBeInstanceOf(MissingScopeError);
      await expect(runWithCacheContext({ userId: '' }, () => articles.myDrafts())).rejects.toBeInstanceOf(MissingScopeError);
      await expect(runWithCacheContext({ userId: 'dave' }, () => articles.tenantSetting('theme'))).rejects.toBeInstanceOf(
        MissingScopeError,
      );
      expect(articles.calls.myDrafts).toBeUndefined();
      expect(articles.calls.tenantSetting).toBeUndefined();
    });

    it('keeps one entry per tenant, and a principal containing ":" cannot forge another key', async () => {
      const { articles } = await setup();
      const inTenant = (tenantId: string, name: string) => runWithCacheContext({ tenantId }, () => articles.tenantSetting(name));
      expect(await inTenant('t1', 'theme')).toBe('theme@1');
      expect(await inTenant('t2', 'theme')).toBe('theme@2');
      expect(await inTenant('t1', 'theme')).toBe('theme@1');
      // Unencoded, both would be "~tenant:a:settings:b:settings:x".
      expect(await inTenant('a', 'b:settings:x')).toBe('b:settings:x@3');
      expect(await inTenant('a:settings:b', 'x')).toBe('x@4');
    });
  });

  it('rejects with SerializationError when the result cannot be stored, and caches nothing', async () => {
    const { articles } = await setup();
    await expect(articles.withCallback()).rejects.toBeInstanceOf(SerializationError);
    await expect(articles.withCallback()).rejects.toBeInstanceOf(SerializationError);
    expect(articles.calls.withCallback).toBe(2);
  });

  it('runs the method once for concurrent calls with the same arguments', async () => {
    const { articles, cache } = await setup();
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => articles.slow('x')),
      ...Array.from({ length: 5 }, () => articles.slow('y')),
    ]);
    expect(articles.calls.slow).toBe(2);
    expect(new Set(results.slice(0, 10).map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify(results[0])]));
    expect(results[10]!.id).toBe('y');
    expect(cache.stats().coalescedCalls).toBe(13);
  });

  it('leaves the class usable without Nest: an instance it did not create is not cached', async () => {
    const plain = new ArticlesService();
    await plain.byId('1');
    await plain.byId('1');
    expect(plain.calls.byId).toBe(2);
  });
});
