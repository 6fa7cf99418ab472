import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * A Redis lock per key so that N instances missing one key run the loader once. Best effort: the
 * lock expires by itself, and if Redis cannot be reached the caller falls back to its local
 * single-flight.
 */
export class DistributedLock {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  /** Returns a release function when acquired, `undefined` when another instance holds it. */
  async tryAcquire(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const lockKey = this.prefix + key;
    const token = randomUUID();
    const acquired = await this.client.set(lockKey, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    if (acquired !== 'OK') return undefined;
    return async () => {
      await this.client.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    };
  }
}
