import { expect, it, describe, beforeAll, afterAll } from '@jest/globals';
import type { CacheEntry } from '../../core/entry.js';
import { KeyBuilder } from '../../core/key-builder.js';
import { v8Serializer } from '../../core/serializer.js';
import { tagsAreValid, type Tier, type TierReadResult } from '../tier.js';

/** A tier under test, and how to dispose of what it created. */
export interface TierHarness {
  tier: Tier;
  /** A second tier on the same storage but another namespace. */
  otherNamespace?: Tier;
  dispose(): Promise<void>;
}

/** Behaviour a tier opts into; the cases it does not claim are reported as skipped. */
export interface TierCapabilities {
  /**
   * The tier refuses a write created before a delete of its key or a clear of its namespace (a
   * shared tier must: another instance's backfill of what it read just before may land just after).
   * A per-process tier leaves that to the engine.
   */
  fencesWrites?: boolean;
}

interface EntrySpec {
  createdAt: number;
  ttlMs?: number;
  graceMs?: number;
  tags?: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An entry of `value` and its serialized payload, as the engine would hand them to `Tier.set`. */
export function makeEntry<T>(value: T, spec: EntrySpec): { entry: CacheEntry<T>; payload: Buffer } {
  const payload = v8Serializer.serialize(value);
  const staleAt = Date.now() + (spec.ttlMs ?? 60_000);
  return {
    entry: { value, createdAt: spec.createdAt, staleAt, expiresAt: staleAt + (spec.graceMs ?? 0), tags: spec.tags ?? [], size: payload.length },
    payload,
  };
}

/** What the engine would serve: present, and no tag invalidated since it was created. */
function servable(result: TierReadResult): boolean {
  return result.entry !== undefined && tagsAreValid(result.entry, result.tagStamps);
}


/**
 * The behaviour every tier must have (docs/drivers.md). Each tier's spec calls this, inside a Jest
 * test file, with a factory that gives it isolated storage (its own key prefix or schema).
 */
export function describeTierConformance(name: string, createHarness: () => Promise<TierHarness>, capabilities: TierCapabilities = {}): void {
  describe(`${name} conformance`, () => {
    let harness: TierHarness;
    let tier: Tier;
    beforeAll(async () => {
      harness = await createHarness();
      tier = harness.tier;
    });
    afterAll(async () => harness.dispose());

    async function put<T>(key: string, value: T, spec: Partial<EntrySpec> = {}): Promise<CacheEntry<T>> {
      const { entry, payload } = makeEntry(value, { createdAt: await tier.now(), ...spec });
      await tier.set(key, entry, payload);
      return entry;
    }

    it('returns nothing for a missing key', async () => {
      expect((await tier.get('missing')).entry).toBeUndefined();
    });

    it('reads a batch exactly as it reads each key: hits, misses, deleted, invalidated, duplicates, in order', async () => {
      if (tier.getMany === undefined) return;
      await put('batch-a', 'A');
      await put('batch-b', 'B', { tags: ['batch-tag'] });
      await put('batch-c', 'C', { tags: ['batch-kept'] });
      await put('batch-gone', 'gone');
      await tier.delete(['batch-gone'], await tier.now());
      await tier.invalidateTags(['batch-tag'], await tier.now());
      const keys = ['batch-c', 'batch-missing', 'batch-a', 'batch-b', 'batch-gone', 'batch-a'];
      const batch = await tier.getMany(keys);
      const single = await Promise.all(keys.map((key) => tier.get(key)));
      expect(batch).toHaveLength(keys.length);
      expect(batch.map((result) => (servable(result) ? result.entry!.value : undefined))).toEqual(['C', undefined, 'A', undefined, undefined, 'A']);
      expect(batch.map((result) => [result.entry?.value, result.entry?.createdAt, result.entry?.tags, [...result.tagStamps]])).toEqual(
        single.map((result) => [result.entry?.value, result.entry?.createdAt, result.entry?.tags, [...result.tagStamps]]),
      );
      expect(await tier.getMany([])).toEqual([]);
    });

    it('writes a batch exactly as it writes each key: newest stamp wins, a tombstone refuses older entries', async () => {
      if (tier.setMany === undefined) return;
      const now = await tier.now();
      await put('wbatch-newer', 'kept', { createdAt: now + 1_000 });
      await put('wbatch-gone', 'old', { createdAt: now - 10 });
      await tier.delete(['wbatch-gone'], now);
      const write = (key: string, value: string, createdAt: number, tags: string[] = []) => ({ key, ...makeEntry(value, { createdAt, tags }) });
      await tier.setMany([
        write('wbatch-a', 'A', now + 10, ['wb-t1', 'wb-t2']),
        write('wbatch-newer', 'older write', now + 10),
        write('wbatch-b', 'B', now + 10),
      ]);
      const [a, newer, b] = await Promise.all(['wbatch-a', 'wbatch-newer', 'wbatch-b'].map((key) => tier.get(key)));
      expect(a!.entry?.value).toBe('A');
      expect(a!.entry?.tags).toEqual(['wb-t1', 'wb-t2']);
      expect(a!.entry?.createdAt).toBe(now + 10);
      expect(newer!.entry?.value).toBe('kept');
      expect(b!.entry?.value).toBe('B');
      if (capabilities.fencesWrites) {
        await tier.setMany([write('wbatch-gone', 'resurrected', now - 5)]);
        expect((await tier.get('wbatch-gone')).entry).toBeUndefined();
      }
      await tier.setMany([]);
    });

    it('round-trips an entry with its metadata', async () => {
      const written = await put('round-trip', { a: 1, when: new Date(0), big: 10n ** 20n, m: new Map([[1, 'x']]), s: new Set(['y']), b: Buffer.from('z') }, { tags: ['t1', 't2'] });
      const { entry } = await tier.get('round-trip');
      expect(entry?.value).toEqual(written.value);
      expect(entry?.createdAt).toBe(written.createdAt);
      expect(entry?.staleAt).toBeCloseTo(written.staleAt, -1);
      expect(entry?.expiresAt).toBeCloseTo(written.expiresAt, -1);
      expect(entry?.tags).toEqual(['t1', 't2']);
    });

    it('deletes', async () => {
      await put('to-delete', 'v');
      await put('to-keep', 'v');
      await tier.delete(['to-delete']);
      expect((await tier.get('to-delete')).entry).toBeUndefined();
      expect((await tier.get('to-keep')).entry?.value).toBe('v');
    });

    it('keeps a stale entry until its grace ends, then drops it', async () => {
      await put('expiring', 'old', { ttlMs: 100, graceMs: 300 });
      await sleep(200);
      const stale = (await tier.get('expiring')).entry;
      expect(stale?.value).toBe('old');
      expect(Date.now()).toBeGreaterThanOrEqual(stale!.staleAt);
      await sleep(350);
      expect((await tier.get('expiring')).entry).toBeUndefined();
    });

    it('invalidates by tag, leaves other tags alone, and accepts entries created afterwards', async () => {
      await put('tagged-a', 1, { tags: ['conf-a'] });
      await put('tagged-b', 2, { tags: ['conf-b'] });
      await tier.invalidateTags(['conf-a']);
      expect(servable(await tier.get('tagged-a'))).toBe(false);
      expect(servable(await tier.get('tagged-b'))).toBe(true);
      await put('tagged-a', 3, { tags: ['conf-a'] });
      const again = await tier.get('tagged-a');
      expect(again.entry?.value).toBe(3);
      expect(servable(again)).toBe(true);
    });

    it('stamps later than every earlier stamp', async () => {
      const first = await tier.invalidateTags(['conf-mono']);
      const second = await tier.invalidateTags(['conf-mono']);
      const floored = await tier.invalidateTags(['conf-mono'], second + 1_000_000);
      expect(second).toBeGreaterThan(first);
      expect(floored).toBeGreaterThanOrEqual(second + 1_000_000);
      // A tier may answer a tag it has no record of with a floor (0, or a stamp below every entry
      // it still accepts), never with anything an entry created from now on could be at or below.
      const never = (await tier.tagStamps(['conf-mono', 'conf-never'])).get('conf-never');
      expect(never).toBeGreaterThanOrEqual(0);
      expect(never).toBeLessThan(await tier.now());
    });

    it('stores values of 1 byte and 5 MB', async () => {
      const tiny = Buffer.from([7]);
      const large = Buffer.alloc(5 * 1024 * 1024, 0xab);
      await put('tiny', tiny);
      await put('large', large);
      expect((await tier.get('tiny')).entry?.value).toEqual(tiny);
      const got = (await tier.get('large')).entry?.value as Buffer;
      expect(got.length).toBe(large.length);
      expect(got.equals(large)).toBe(true);
    });

    it('treats unicode, pattern characters and long keys as exact keys', async () => {
      const keys = ['ключ 🔑 ü', 'glob*?[ab]\\', 'sql%_\'";--', new KeyBuilder().build('k'.repeat(10_000))];
      for (const [index, key] of keys.entries()) await put(key, index);
      await put('globXab', 'neighbour');
      for (const [index, key] of keys.entries()) expect((await tier.get(key)).entry?.value).toBe(index);
      await tier.delete(['glob*?[ab]\\']);
      expect((await tier.get('globXab')).entry?.value).toBe('neighbour');
    });

    it('keeps the newest entry when writers race', async () => {
      const base = await tier.now();
      const writes = Array.from({ length: 50 }, (_, i) => {
        const { entry, payload } = makeEntry({ writer: i, body: 'x'.repeat(1000) }, { createdAt: base + i });
        return tier.set('contended', entry, payload);
      });
      await Promise.all(writes.reverse());
      const { entry } = await tier.get('contended');
      expect(entry?.value).toEqual({ writer: 49, body: 'x'.repeat(1000) });
      expect(entry?.createdAt).toBe(base + 49);
    });

    const itFences = capabilities.fencesWrites ? it : it.skip;

    itFences('refuses a write created before a delete of its key', async () => {
      const before = await tier.now();
      await put('fenced-delete', 'v', { createdAt: before });
      await tier.delete(['fenced-delete', 'fenced-never-held']);
      await put('fenced-delete', 'racing', { createdAt: before });
      await put('fenced-never-held', 'racing', { createdAt: before });
      expect((await tier.get('fenced-delete')).entry).toBeUndefined();
      expect((await tier.get('fenced-never-held')).entry).toBeUndefined();
    });

    itFences('accepts a write created after a delete of its key', async () => {
      await put('refilled', 'v');
      await tier.delete(['refilled']);
      await put('refilled', 'again');
      expect((await tier.get('refilled')).entry?.value).toBe('again');
    });

    itFences('refuses a write created before a clear of its namespace, and accepts later ones', async () => {
      const before = await tier.now();
      await tier.clear();
      await put('fenced-clear', 'racing', { createdAt: before });
      expect((await tier.get('fenced-clear')).entry).toBeUndefined();
      await put('fenced-clear', 'after');
      expect((await tier.get('fenced-clear')).entry?.value).toBe('after');
      const other = harness.otherNamespace;
      if (other) {
        const { entry, payload } = makeEntry('other', { createdAt: before });
        await other.set('fenced-clear', entry, payload);
        expect((await other.get('fenced-clear')).entry?.value).toBe('other');
      }
    });

    it('clears its namespace only', async () => {
      await put('clear-me', 1);
      const other = harness.otherNamespace;
      if (other) {
        const { entry, payload } = makeEntry('other', { createdAt: await other.now() });
        await other.set('clear-me', entry, payload);
      }
      await tier.clear();
      expect((await tier.get('clear-me')).entry).toBeUndefined();
      if (other) expect((await other.get('clear-me')).entry?.value).toBe('other');
    });
  });
}
