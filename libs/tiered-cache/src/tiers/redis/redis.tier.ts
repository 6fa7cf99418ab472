import { Redis, type RedisOptions } from 'ioredis';
import type { CacheEntry } from '../../core/entry.js';
import { v8Serializer, type Serializer } from '../../core/serializer.js';
import type { Tier, TierReadResult } from '../tier.js';
import { escapeGlob, READ_CLOCK, READ_ENTRY, STAMP_TAGS, WRITE_ENTRY } from './redis.scripts.js';

export interface RedisTierOptions {
  /** An ioredis client to use. The tier does not close a client it was given. */
  client?: Redis;
  /** Connection URL when no client is given, e.g. `redis://127.0.0.1:6379/0`. */
  url?: string;
  /** Prefix of every key this library writes. Default `tc:`. */
  keyPrefix?: string;
  /** Namespace of this cache; `clear()` removes only its entries. Default `default`. */
  namespace?: string;
  /** Per-command timeout. Default 250 ms. */
  commandTimeoutMs?: number;
  serializer?: Serializer;
}

type ScriptedRedis = Redis & {
  tcReadEntryBuffer(entryKey: string, tagKey: string): Promise<Array<Buffer | null>>;
  tcStampTags(tagKey: string, floor: string, ...tags: string[]): Promise<string>;
  tcReadClock(): Promise<string>;
  tcWriteEntry(entryKey: string, payload: Buffer, created: string, staleAt: string, expiresAt: string, tags: string): Promise<number>;
};

const TAG_SEPARATOR = '\u001f';
const FIRST_ATTEMPT_WAIT_MS = 2_000;

/** Resolves on the first 'ready' or the first failed attempt, whichever comes first. */
function firstConnectionAttempt(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
    client.once('error', done);
  });
}

/** Closes a client and waits for its socket to close; a dead connection is dropped at once. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return client.disconnect();
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  await client.quit().catch(() => client.disconnect());
  await ended;
}

/** Client options that fail fast while Redis is away instead of queueing commands. */
export function redisClientOptions(commandTimeoutMs: number): RedisOptions {
  return {
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    // A socket to a dead server never closes by itself; do not hold the process open for long.
    disconnectTimeout: 200,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
  };
}

/** L2: Redis, shared by every instance. One round trip per read, tag check included. */
export class RedisTier implements Tier {
  readonly name = 'l2' as const;
  readonly client: ScriptedRedis;
  private readonly ownsClient: boolean;
  /** Where every namespace's entries live under the key prefix: `<prefix>e:`. */
  private readonly entriesRoot: string;
  private readonly entryPrefix: string;
  private readonly tagKey: string;
  private readonly serializer: Serializer;
  /** Settles when the first connection attempt does; calls made before then wait for it. */
  private firstAttempt: Promise<void> | undefined;

  constructor(options: RedisTierOptions) {
    if (!options.client && !options.url) throw new Error('RedisTier needs a client or a url');
    const prefix = options.keyPrefix ?? 'tc:';
    this.ownsClient = !options.client;
    const client = options.client ?? new Redis(options.url!, redisClientOptions(options.commandTimeoutMs ?? 250));
    // Errors surface through the calls that fail; this only keeps ioredis from printing each one.
    if (!options.client) client.on('error', () => undefined);
    client.defineCommand('tcReadEntry', { numberOfKeys: 2, lua: READ_ENTRY });
    client.defineCommand('tcStampTags', { numberOfKeys: 1, lua: STAMP_TAGS });
    client.defineCommand('tcReadClock', { numberOfKeys: 0, lua: READ_CLOCK });
    client.defineCommand('tcWriteEntry', { numberOfKeys: 1, lua: WRITE_ENTRY });
    this.client = client as ScriptedRedis;
    this.entriesRoot = `${prefix}e:`;
    this.entryPrefix = `${this.entriesRoot}${options.namespace ?? 'default'}:`;
    this.tagKey = `${prefix}tags`;
    this.serializer = options.serializer ?? v8Serializer;
    if (client.status !== 'ready') {
      // Without this, a call made right after start-up fails fast (no offline queue) and a write
      // is dropped, only because the socket was still opening.
      this.firstAttempt = firstConnectionAttempt(client, FIRST_ATTEMPT_WAIT_MS).finally(() => {
        this.firstAttempt = undefined;
      });
    }
  }

  /** Resolves when the client is connected; commands fail fast (no offline queue) until then. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new Error(`Redis not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  /** The Redis key that holds `key`'s entry. */
  entryKey(key: string): string {
    return this.entryPrefix + key;
  }

  async get(key: string): Promise<TierReadResult> {
    if (this.firstAttempt) await this.firstAttempt;
    const reply = await this.client.tcReadEntryBuffer(this.entryKey(key), this.tagKey);
    const [payload, created, staleAt, expiresAt, joinedTags] = reply;
    if (!payload) return { entry: undefined, tagStamps: new Map(), clock: Number(reply[1]) };
    const tags = joinedTags!.length === 0 ? [] : joinedTags!.toString().split(TAG_SEPARATOR);
    const tagStamps = new Map<string, number>();
    for (let index = 0; index < tags.length; index++) tagStamps.set(tags[index]!, Number(reply[5 + index]));
    let value: unknown;
    try {
      value = this.serializer.deserialize(payload);
    } catch {
      // Written by an incompatible serializer: a miss, overwritten by the next write.
      return { entry: undefined, tagStamps };
    }
    const entry: CacheEntry = {
      value,
      createdAt: Number(created),
      staleAt: Number(staleAt),
      expiresAt: Number(expiresAt),
      tags,
      size: payload.length,
    };
    return { entry, tagStamps, payload };
  }

  async set(key: string, entry: CacheEntry, payload: Buffer): Promise<void> {
    if (this.firstAttempt) await this.firstAttempt;
    await this.client.tcWriteEntry(
      this.entryKey(key),
      payload,
      String(entry.createdAt),
      String(entry.staleAt),
      String(Math.ceil(entry.expiresAt)),
      entry.tags.join(TAG_SEPARATOR),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (this.firstAttempt) await this.firstAttempt;
    if (keys.length > 0) await this.client.unlink(...keys.map((key) => this.entryKey(key)));
  }

  async invalidateTags(tags: readonly string[], stamp = 0): Promise<number> {
    if (this.firstAttempt) await this.firstAttempt;
    return Number(await this.client.tcStampTags(this.tagKey, String(stamp), ...tags));
  }

  async tagStamps(tags: readonly string[]): Promise<Map<string, number>> {
    if (this.firstAttempt) await this.firstAttempt;
    const stamps = new Map<string, number>();
    if (tags.length === 0) return stamps;
    const values = await this.client.hmget(this.tagKey, ...tags);
    tags.forEach((tag, index) => stamps.set(tag, Number(values[index] ?? 0)));
    return stamps;
  }

  async now(): Promise<number> {
    if (this.firstAttempt) await this.firstAttempt;
    return Number(await this.client.tcReadClock());
  }

  async clear(): Promise<void> {
    if (this.firstAttempt) await this.firstAttempt;
    await this.unlinkUnder(this.entryPrefix);
  }

  /** Removes the entries of every namespace under this tier's key prefix (the admin's clear-all). */
  async clearAllNamespaces(): Promise<number> {
    if (this.firstAttempt) await this.firstAttempt;
    return this.unlinkUnder(this.entriesRoot);
  }

  /** Unlinks every key starting with `prefix`, a literal; returns how many. */
  private async unlinkUnder(prefix: string): Promise<number> {
    const pattern = `${escapeGlob(prefix)}*`;
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) removed += await this.client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return removed;
  }

  async close(): Promise<void> {
    if (this.ownsClient) await closeRedisClient(this.client);
  }
}
