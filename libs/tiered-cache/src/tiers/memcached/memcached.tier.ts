import { createHash } from 'node:crypto';
import type { MemcacheClient } from 'memcache-client';
import type { CacheEntry } from '../../core/entry.js';
import { InvalidOptionError } from '../../core/errors.js';
import { v8Serializer, type Serializer } from '../../core/serializer.js';
import { PayloadCodec } from '../../security/payload-codec.js';
import { payloadIdentity } from '../../security/payload-seal.js';
import type { TagClock, Tier, TierReadResult } from '../tier.js';
import { decodeRecord, encodeRecord, type MemcachedRecord } from './memcached.record.js';
import { MemcachedLock } from './memcached.lock.js';
import { MemcachedShards } from './memcached.shards.js';

export interface MemcachedTierOptions {
  /** `host:port` of each server; keys are spread over them by a ketama ring. */
  servers: readonly string[];
  /**
   * Where tag stamps, the clear stamp and the clock live: Memcached may evict any item, so it cannot
   * hold them. The cache passes its PostgreSQL tier (docs/memcached.md).
   */
  clock: TagClock;
  /** Prefix of every item this tier writes. Default `tc:`. */
  keyPrefix?: string;
  /** Namespace of this cache; `clear()` affects only its entries. Default `default`. */
  namespace?: string;
  /** Per-command timeout. Default 250 ms. */
  commandTimeoutMs?: number;
  /** Connect timeout. Default 1,000 ms. */
  connectTimeoutMs?: number;
  /** How long a deleted key keeps its tombstone (rounded up to seconds). Default 60,000 ms. */
  tombstoneTtlMs?: number;
  serializer?: Serializer;
  /** Seals and opens stored payloads; built by the engine from its options. */
  codec?: PayloadCodec;
}

/** Memcached's exptime: seconds from now up to 30 days, a Unix time beyond. */
const RELATIVE_EXPTIME_LIMIT_S = 30 * 24 * 3600;
/** CAS rounds before a write gives up; each round one contender wins, so this bounds a burst of writers. */
const MAX_WRITE_ROUNDS = 128;

/**
 * L2 on Memcached: entries and tombstones sharded over the servers, tag stamps and the clear stamp
 * read from {@link MemcachedTierOptions.clock} (one extra round trip per hit). A write is a
 * `gets` + `cas`/`add` loop, so the newest entry wins and a write created before a delete's
 * tombstone is refused.
 */
export class MemcachedTier implements Tier {
  readonly name = 'l2' as const;
  private readonly shards: MemcachedShards;
  private readonly clock: TagClock;
  private readonly prefix: string;
  private readonly namespace: string;
  /** Recorded in the tag clock: entries created at or before its stamp were cleared. */
  private readonly clearTag: string;
  private readonly tombstoneTtlS: number;
  private readonly codec: PayloadCodec;

  /** @throws InvalidOptionError naming the option when one is out of range. */
  constructor(options: MemcachedTierOptions) {
    const prefix = options.keyPrefix ?? 'tc:';
    // Memcached keys are at most 250 bytes without spaces or control characters; the rest of the
    // key is a 43-character hash.
    if (!/^[\x21-\x7e]{0,150}$/.test(prefix)) throw new InvalidOptionError('memcached.keyPrefix', 'must be at most 150 printable ASCII characters without spaces');
    const tombstoneTtlMs = options.tombstoneTtlMs ?? 60_000;
    if (!Number.isInteger(tombstoneTtlMs) || tombstoneTtlMs < 1) throw new InvalidOptionError('memcached.tombstoneTtlMs', `must be a positive integer, got ${tombstoneTtlMs}`);
    const commandTimeoutMs = options.commandTimeoutMs ?? 250;
    const connectTimeoutMs = options.connectTimeoutMs ?? 1_000;
    for (const [name, value] of [['commandTimeoutMs', commandTimeoutMs], ['connectTimeoutMs', connectTimeoutMs]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(`memcached.${name}`, `must be a positive integer, got ${value}`);
    }
    this.shards = new MemcachedShards({ servers: options.servers, commandTimeoutMs, connectTimeoutMs });
    this.clock = options.clock;
    this.prefix = prefix;
    this.namespace = options.namespace ?? 'default';
    this.clearTag = `\u001fclear:${prefix}${this.namespace}`;
    this.tombstoneTtlS = Math.ceil(tombstoneTtlMs / 1_000);
    this.codec = options.codec ?? new PayloadCodec(options.serializer ?? v8Serializer, undefined);
  }

  /** The miss lock on the same servers, under this namespace's lock prefix. */
  createLock(): MemcachedLock {
    return new MemcachedLock(this.shards, `${this.prefix}lock:${this.namespace}:`);
  }

  /** The Memcached key of `key`: a hash, so that any key fits Memcached's key rules. */
  storageKey(key: string): string {
    return this.prefix + createHash('sha256').update(`${this.namespace}\u0000${key}`).digest('base64url');
  }

  async get(key: string): Promise<TierReadResult> {
    const storageKey = this.storageKey(key);
    const found = await this.read(this.shards.clientFor(storageKey), storageKey, key);
    const header = found?.record.header;
    if (!found || header!.x === 1 || header!.e! <= Date.now()) return { entry: undefined, tagStamps: new Map() };
    const tags = header!.t ?? [];
    const stamps = await this.clock.tagStamps([...tags, this.clearTag]);
    const cleared = stamps.get(this.clearTag) ?? Number.POSITIVE_INFINITY;
    stamps.delete(this.clearTag);
    if (header!.c <= cleared) return { entry: undefined, tagStamps: new Map() };
    const stored = found.record.payload;
    const decoded = this.codec.decode(payloadIdentity(this.namespace, key, header!.c, tags), stored);
    if (decoded.kind === 'rejected') {
      void this.removeIfUnchanged(storageKey, found.cas).catch(() => undefined);
      return { entry: undefined, tagStamps: stamps, rejected: decoded.reason };
    }
    if (decoded.kind === 'undecodable') return { entry: undefined, tagStamps: stamps };
    const entry: CacheEntry = { value: decoded.value, createdAt: header!.c, staleAt: header!.s!, expiresAt: header!.e!, tags: [...tags], size: stored.length };
    return { entry, tagStamps: stamps, payload: decoded.plain };
  }

  /** Writes unless the item holds an entry or tombstone created at or after `entry`. */
  async set(key: string, entry: CacheEntry, payload: Buffer): Promise<void> {
    const lifetime = exptime(entry.expiresAt);
    if (lifetime === undefined) return;
    const storageKey = this.storageKey(key);
    const client = this.shards.clientFor(storageKey);
    const stored = encodeRecord(
      { k: key, c: entry.createdAt, s: entry.staleAt, e: entry.expiresAt, t: entry.tags },
      this.codec.encode(payloadIdentity(this.namespace, key, entry.createdAt, entry.tags), payload),
    );
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const current = await this.read(client, storageKey, key);
      if (current && current.record.header.c >= entry.createdAt) return;
      try {
        if (current) await client.cas(storageKey, stored, { casUniq: current.cas, lifetime });
        else await client.add(storageKey, stored, { lifetime });
        return;
      } catch (error) {
        const reply = (error as Error).message;
        if (reply === 'EXISTS' || reply === 'NOT_FOUND' || reply === 'NOT_STORED') continue;
        // Above the server's item size (-I): not cached, and no older value may stay behind.
        if (reply.includes('too large')) return void (await client.delete(storageKey).catch(() => undefined));
        throw error;
      }
    }
    throw new Error(`Memcached write of '${key}' lost ${MAX_WRITE_ROUNDS} CAS rounds in a row`);
  }

  /** Replaces each key by a tombstone stamped `stamp` (or the clock's now), refusing older writes. */
  async delete(keys: readonly string[], stamp?: number): Promise<void> {
    if (keys.length === 0) return;
    const at = stamp ?? (await this.clock.now());
    await Promise.all(
      keys.map((key) => {
        const storageKey = this.storageKey(key);
        return this.shards.clientFor(storageKey).set(storageKey, encodeRecord({ k: key, c: at, x: 1 }), { lifetime: this.tombstoneTtlS });
      }),
    );
  }

  invalidateTags(tags: readonly string[], stamp?: number): Promise<number> {
    return this.clock.invalidateTags(tags, stamp);
  }

  tagStamps(tags: readonly string[]): Promise<Map<string, number>> {
    return this.clock.tagStamps(tags);
  }

  now(): Promise<number> {
    return this.clock.now();
  }

  /**
   * Stamps the namespace as cleared in the tag clock: every entry created at or before it reads as
   * missing. Memcached cannot list keys, so the items stay until they expire or are evicted.
   */
  async clear(stamp?: number): Promise<void> {
    await this.clock.invalidateTags([this.clearTag], stamp);
  }

  async close(): Promise<void> {
    this.shards.close();
  }

  private async read(client: MemcacheClient, storageKey: string, key: string): Promise<{ record: MemcachedRecord; cas: string | number } | undefined> {
    const reply = await client.gets<Buffer>(storageKey);
    if (reply === undefined || !Buffer.isBuffer(reply.value)) return undefined;
    const record = decodeRecord(reply.value);
    // A hash collision or a foreign item: not this key's.
    if (record === undefined || record.header.k !== key) return undefined;
    return { record, cas: reply.casUniq };
  }

  private async removeIfUnchanged(storageKey: string, cas: string | number): Promise<void> {
    const client = this.shards.clientFor(storageKey);
    // Overwrite with an item that expires at once, only if nobody wrote since it was read.
    await client.cas(storageKey, Buffer.alloc(0), { casUniq: cas, lifetime: -1 });
  }
}

/** The exptime for an entry expiring at `expiresAt` (ms), or undefined when it already has. */
function exptime(expiresAt: number): number | undefined {
  if (!Number.isFinite(expiresAt)) return 0;
  const remaining = expiresAt - Date.now();
  if (remaining <= 0) return undefined;
  // memcached's clock ticks once a second, so an item can expire up to a second early: one more
  // second keeps it until its own `expiresAt`, which every read checks.
  const seconds = Math.ceil(remaining / 1_000) + 1;
  return seconds <= RELATIVE_EXPTIME_LIMIT_S ? seconds : Math.ceil(expiresAt / 1_000);
}
