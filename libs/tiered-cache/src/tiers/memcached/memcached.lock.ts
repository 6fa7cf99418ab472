import { createHash, randomUUID } from 'node:crypto';
import type { KeyLock } from '../../resilience/key-lock.js';
import type { MemcachedShards } from './memcached.shards.js';

/**
 * The miss lock on Memcached: `add` takes it (it fails when the item exists), and the release
 * expires it only if it still holds this holder's token (`gets` + `cas`), so a holder that outlived
 * its lock never frees the next holder's. Memcached's TTL has whole seconds: a crashed holder's
 * lock lasts up to a second longer than `ttlMs`.
 */
export class MemcachedLock implements KeyLock {
  constructor(
    private readonly shards: MemcachedShards,
    private readonly prefix: string,
  ) {}

  async tryAcquire(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const lockKey = this.prefix + createHash('sha256').update(key).digest('base64url');
    const client = this.shards.clientFor(lockKey);
    const token = randomUUID();
    try {
      await client.add(lockKey, token, { lifetime: Math.max(1, Math.ceil(ttlMs / 1_000)) });
    } catch (error) {
      if ((error as Error).message === 'NOT_STORED') return undefined;
      throw error;
    }
    return async () => {
      const held = await client.gets<string>(lockKey).catch(() => undefined);
      if (held === undefined || String(held.value) !== token) return;
      await client.cas(lockKey, '', { casUniq: held.casUniq, lifetime: -1 }).catch(() => undefined);
    };
  }
}
