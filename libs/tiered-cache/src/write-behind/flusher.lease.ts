import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * The right to flush one queue, held by one process at a time: a Redis key with a token and a
 * TTL, extended before every batch. A holder that dies stops extending and loses it after the TTL.
 * Correctness does not rest on it (the writer is idempotent and the consumer group hands each
 * entry to one consumer); it keeps batches from interleaving and the claim of dead flushers' entries
 * to one place.
 */
export class FlusherLease {
  private token: string | undefined;

  constructor(
    private readonly client: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or extends the lease; `false` when another process holds it. */
  async hold(): Promise<boolean> {
    if (this.token !== undefined) {
      const extended = await this.client.eval(EXTEND, 1, this.key, this.token, this.ttlMs);
      if (extended === 1) return true;
      this.token = undefined;
    }
    const token = randomUUID();
    const taken = await this.client.set(this.key, token, 'PX', this.ttlMs, 'NX');
    if (taken !== 'OK') return false;
    this.token = token;
    return true;
  }

  async release(): Promise<void> {
    const token = this.token;
    this.token = undefined;
    if (token !== undefined) await this.client.eval(RELEASE, 1, this.key, token);
  }
}
