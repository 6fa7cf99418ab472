import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { serialize } from 'node:v8';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { until } from '../../../../test/support/eventually.js';
import type { TieredCacheOptions } from '../core/options.js';

/**
 * Cache poisoning, tried as an attacker who can write to Redis or to the cache table but does not
 * hold the integrity key: forged or tampered payloads are never served, never copied up, and are
 * removed and counted; nothing of them is deserialized. Real Redis and PostgreSQL.
 */
const OLD = { id: 'k1', secret: 'an-older-secret-of-at-least-32-bytes!' };
const NEW = { id: 'k2', secret: 'the-current-secret-of-32-bytes-or-more' };
const SIGNED: TieredCacheOptions = { integrity: { keys: [NEW] } };

describe('cache poisoning with integrity on', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('poisoning');
  });
  afterAll(() => fx.dispose());

  const entryKey = (key: string) => `${fx.redis.prefix}e:default:${key}`;
  const redisPayload = (key: string) => fx.redis.client.hgetBuffer(entryKey(key), 'p');
  const rowOf = async (key: string) =>
    (await fx.db.pool.query<{ value: Buffer }>(`SELECT value FROM "${fx.db.schema}".cache_entries WHERE key = $1 AND expires_at > now()`, [key])).rows[0];
  /** A reader with an empty L1, so that its read goes to the tiers. */
  const reader = (options: TieredCacheOptions = SIGNED) => fx.create({ ...options, bus: false });

  it('never serves a payload overwritten in Redis, removes it, and never opens the breaker', async () => {
    const writer = await fx.create(SIGNED);
    await writer.set('p1', 'genuine');
    await fx.redis.client.hset(entryKey('p1'), 'p', serialize('forged'));
    const b = await reader();
    // L2 refuses it; L3 still holds the genuine entry, which is served and copied up again.
    expect(await b.get('p1')).toBe('genuine');
    expect(b.stats().tiers.l2).toMatchObject({ rejected: 1, circuit: 'closed' });
    await until(async () => (await redisPayload('p1'))?.includes(Buffer.from('forged')) !== true, 2_000);
  });

  it('never serves a forged row of the cache table, nor copies it into Redis', async () => {
    const writer = await fx.create(SIGNED);
    await writer.set('p2', 'genuine');
    await fx.db.pool.query(`UPDATE "${fx.db.schema}".cache_entries SET value = $1 WHERE key = 'p2'`, [serialize('forged')]);
    await fx.redis.client.unlink(entryKey('p2'));
    const b = await reader();
    expect(await b.get('p2')).toBeUndefined();
    expect(b.stats().tiers.l3?.rejected).toBe(1);
    expect(await fx.redis.client.exists(entryKey('p2'))).toBe(0);
    await until(async () => (await rowOf('p2')) === undefined, 2_000);
    // The next load replaces it with a signed entry.
    expect(await b.getOrSet('p2', () => 'reloaded')).toBe('reloaded');
  });

  it('refuses a forged row inserted for a key that was never cached', async () => {
    const now = Date.now();
    await fx.db.pool.query(
      `INSERT INTO "${fx.db.schema}".cache_entries (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
       VALUES ('default', 'p3', $1, '{}', $2, to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0), 10)`,
      [serialize({ admin: true }), String(now * 1000), now + 60_000],
    );
    const b = await reader();
    expect(await b.get('p3')).toBeUndefined();
    expect(b.stats().tiers.l3?.rejected).toBe(1);
  });

  it('refuses a genuine payload moved to another key, or stripped of its tags to escape an invalidation', async () => {
    const writer = await fx.create(SIGNED);
    await writer.set('p4:price', 100, { tags: ['price'] });
    await fx.redis.client.hset(entryKey('p4:copy'), await fx.redis.client.hgetall(entryKey('p4:price')));
    await fx.redis.client.hset(entryKey('p4:copy'), 'p', (await redisPayload('p4:price'))!);
    await fx.redis.client.hset(entryKey('p4:price'), 'g', '');
    const b = await reader({ ...SIGNED, postgres: undefined });
    expect(await b.get('p4:copy')).toBeUndefined();
    expect(await b.get('p4:price')).toBeUndefined();
    expect(b.stats().tiers.l2?.rejected).toBe(2);
  });

  it('serves what an older key signed while it is still configured, and signs with the newest', async () => {
    const before = await fx.create({ integrity: { keys: [OLD] } });
    await before.set('p5', 'signed-by-k1');
    const rotated = await reader({ integrity: { keys: [NEW, OLD] } });
    expect(await rotated.get('p5')).toBe('signed-by-k1');
    await rotated.set('p5:new', 'signed-by-k2');
    expect((await redisPayload('p5:new'))!.includes(Buffer.from(NEW.id))).toBe(true);
    // Once the old key is dropped, what it signed is refused.
    const after = await reader({ integrity: { keys: [NEW] } });
    expect(await after.get('p5')).toBeUndefined();
    expect(await after.get('p5:new')).toBe('signed-by-k2');
  });

  it('refuses unsigned payloads, unless told to accept them while integrity is being turned on', async () => {
    const unsigned = await fx.create();
    await unsigned.set('p6', 'written-before-integrity');
    expect(await (await reader({ integrity: { keys: [NEW], acceptUnsigned: true } })).get('p6')).toBe('written-before-integrity');
    const strict = await reader();
    expect(await strict.get('p6')).toBeUndefined();
    expect(strict.stats().tiers.l2?.rejected).toBe(1);
  });

  it('ignores a forged bus message, and applies the signed ones', async () => {
    const a = await fx.create(SIGNED);
    const b = await fx.create(SIGNED);
    await a.set('p7', 'kept');
    await a.set('p7:barrier', 'one');
    expect(await b.get('p7')).toBe('kept');
    expect(await b.get('p7:barrier')).toBe('one');
    const forged = { origin: 'attacker', sentAt: Date.now(), message: { kind: 'delete', namespace: 'default', keys: ['p7'] } };
    await fx.redis.client.publish(`${fx.redis.prefix}bus`, JSON.stringify(forged));
    // Messages on one channel arrive in order: once the signed one is applied, the forged one was seen.
    await a.set('p7:barrier', 'two');
    await until(async () => (await b.get('p7:barrier', { tiers: ['l1'] })) === undefined, 2_000);
    expect(await b.get('p7', { tiers: ['l1'] })).toBe('kept');
  });
});

describe('encryption of values in L2 and L3', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('encryption');
  });
  afterAll(() => fx.dispose());

  const KEY_A = { id: 'e1', key: Buffer.alloc(32, 7) };
  const KEY_B = { id: 'e2', key: Buffer.alloc(32, 9).toString('base64') };
  const SECRET = 'text-of-a-private-chat-message';

  it('stores no plain text in Redis or PostgreSQL, and another instance reads it', async () => {
    const a = await fx.create({ ...SIGNED, encryption: { keys: [KEY_A] } });
    await a.set('c1', { body: SECRET });
    const stored = await fx.redis.client.hgetBuffer(`${fx.redis.prefix}e:default:c1`, 'p');
    const row = (await fx.db.pool.query<{ value: Buffer }>(`SELECT value FROM "${fx.db.schema}".cache_entries WHERE key = 'c1'`)).rows[0]!;
    expect(stored!.includes(Buffer.from(SECRET))).toBe(false);
    expect(row.value.includes(Buffer.from(SECRET))).toBe(false);
    const b = await fx.create({ ...SIGNED, encryption: { keys: [KEY_A] }, bus: false });
    expect(await b.get('c1')).toEqual({ body: SECRET });
    const fromL3 = await fx.create({ ...SIGNED, encryption: { keys: [KEY_A] }, redis: undefined });
    expect(await fromL3.get('c1')).toEqual({ body: SECRET });
  });

  it('decrypts with an older key after rotation, and refuses what no configured key decrypts', async () => {
    const a = await fx.create({ ...SIGNED, encryption: { keys: [KEY_A] } });
    await a.set('c2', SECRET);
    const rotated = await fx.create({ ...SIGNED, encryption: { keys: [KEY_B, KEY_A] }, bus: false });
    expect(await rotated.get('c2')).toBe(SECRET);
    const withoutA = await fx.create({ ...SIGNED, encryption: { keys: [KEY_B] }, bus: false });
    expect(await withoutA.get('c2')).toBeUndefined();
    expect(withoutA.stats().tiers.l2?.rejected).toBe(1);
  });
});

describe('payload size bound', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('payload_size');
  });
  afterAll(() => fx.dispose());

  it('refuses to write a value over maxPayloadBytes, naming the key and the sizes', async () => {
    const cache = await fx.create({ maxPayloadBytes: 1_000 });
    await expect(cache.set('big', 'x'.repeat(2_000))).rejects.toThrow(/Value for key "big" cannot be serialized: it takes \d+ bytes, over maxPayloadBytes \(1000\)/);
    expect(await cache.get('big')).toBeUndefined();
  });

  it('never parses a stored payload over the bound, signed or not', async () => {
    const large = await fx.create({ maxPayloadBytes: 100_000 });
    await large.set('stored-big', 'y'.repeat(50_000));
    const small = await fx.create({ maxPayloadBytes: 10_000, bus: false });
    expect(await small.get('stored-big')).toBeUndefined();
    expect(small.stats().tiers.l2?.rejected).toBe(1);
  });
});

describe('integrity options', () => {
  it.each([
    ['no key', { integrity: { keys: [] } }, /Invalid option 'integrity.keys': needs at least one key/],
    ['a short secret', { integrity: { keys: [{ id: 'k', secret: 'short' }] } }, /Invalid option 'integrity.keys\[0\]': secret must be at least 32 bytes/],
    ['a duplicate id', { integrity: { keys: [NEW, { ...OLD, id: NEW.id }] } }, /Invalid option 'integrity.keys\[1\].id': duplicate key id "k2"/],
    ['a bad id', { integrity: { keys: [{ id: 'with space', secret: NEW.secret }] } }, /Invalid option 'integrity.keys\[0\].id'/],
    ['encryption without integrity', { encryption: { keys: [{ id: 'e', key: Buffer.alloc(32) }] } }, /Invalid option 'encryption': needs integrity keys as well/],
    ['a 16-byte AES key', { ...SIGNED, encryption: { keys: [{ id: 'e', key: Buffer.alloc(16) }] } }, /Invalid option 'encryption.keys\[0\]': key must be exactly 32 bytes/],
    ['a zero size bound', { maxPayloadBytes: 0 }, /Invalid option 'maxPayloadBytes'/],
  ] as Array<[string, TieredCacheOptions, RegExp]>)('%s is refused at construction', async (_label, options, message) => {
    const { TieredCache } = await import('../core/tiered-cache.js');
    expect(() => new TieredCache({ ...options, redis: undefined, postgres: undefined })).toThrow(message);
  });
});
