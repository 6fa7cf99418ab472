import type { Redis, RedisOptions } from 'ioredis';
import type { CacheEntry } from '../../core/entry.js';
import { v8Serializer, type Serializer } from '../../core/serializer.js';
import { PayloadCodec } from '../../security/payload-codec.js';
import { payloadIdentity } from '../../security/payload-seal.js';
import type { Tier, TierReadResult, TierWrite } from '../tier.js';
import {
  DELETE_ENTRIES,
  META,
  PURGE_TAGS,
  RAISE_FLOOR_TO_HORIZON,
  READ_CLOCK,
  READ_ENTRIES,
  READ_ENTRY,
  REMOVE_IF_UNCHANGED,
  RESYNC,
  STAMP_CLEAR,
  STAMP_TAGS,
  TAG_STAMPS,
  UNLINK_CLEARED,
  WRITE_ENTRIES,
  WRITE_ENTRY,
} from './redis.scripts.js';
import { scanPrefix } from './redis.scan.js';
import { RedisStateGuard } from './redis.state-guard.js';
import { type RedisTlsOptions } from './redis-tls.js';
import { createRedisClient, type RedisSentinelOptions } from './redis.connection.js';

export interface RedisTierOptions {
  /** An ioredis client to use. The tier does not close a client it was given. */
  client?: Redis;
  /**
   * Connection URL when no client is given, e.g. `redis://127.0.0.1:6379/0`, or `rediss://` for TLS.
   * In the cache's options, neither a url, sentinels nor a client turns L2 off (see `TieredCache.offTiers`).
   */
  url?: string;
  /**
   * TLS of every connection the tier (and the bus and lock on its client) opens, with a
   * `rediss://` url: CA, client certificate and key, `servername`, `rejectUnauthorized` (default
   * true). Checked at construction. See docs/tls.md.
   */
  tls?: RedisTlsOptions;
  /**
   * A master with replicas managed by Redis Sentinel, instead of `url`: the client follows
   * failovers. See docs/scaling.md.
   */
  sentinel?: RedisSentinelOptions;
  /** Prefix of every key this library writes. Default `tc:`. */
  keyPrefix?: string;
  /** Namespace of this cache; `clear()` removes only its entries. Default `default`. */
  namespace?: string;
  /** Per-command timeout; also bounds the state check after each (re)connect. Default 250 ms. */
  commandTimeoutMs?: number;
  /**
   * How long a deleted key keeps its tombstone. It bounds how late a write that raced the delete
   * (a backfill of what another instance read just before) can arrive and still be refused.
   * Default 60,000 ms.
   */
  tombstoneTtlMs?: number;
  serializer?: Serializer;
  /**
   * Seals and opens stored payloads (size bound, integrity, encryption). Built by the engine from
   * its options; without it, payloads are the serializer's bytes.
   */
  codec?: PayloadCodec;
}

type Reply = Buffer | null;

type ScriptedRedis = Redis & {
  tcReadEntryBuffer(entryKey: string, tagKey: string, clearField: string): Promise<Reply[]>;
  tcReadEntriesBuffer(numberOfKeys: number, tagKey: string, ...rest: string[]): Promise<Reply[][]>;
  tcWriteEntry(
    entryKey: string,
    tagKey: string,
    payload: Buffer,
    created: string,
    staleAt: string,
    expiresAt: string,
    tags: string,
    clearField: string,
  ): Promise<number>;
  tcDeleteEntries(numberOfKeys: number, tagKey: string, ...rest: string[]): Promise<number>;
  tcWriteEntries(numberOfKeys: number, tagKey: string, ...rest: Array<string | Buffer>): Promise<number>;
  tcStampTags(tagKey: string, minimum: string, ...tags: string[]): Promise<[string, number]>;
  tcTagStamps(tagKey: string, ...tags: string[]): Promise<string[] | null>;
  tcReadClock(tagKey: string): Promise<string>;
  tcResync(tagKey: string, highestSeen: string): Promise<number>;
  tcStampClear(tagKey: string, field: string): Promise<string | null>;
  tcUnlinkCleared(numberOfKeys: number, ...rest: string[]): Promise<number>;
  tcRaiseFloorToHorizon(tagKey: string): Promise<string | null>;
  tcPurgeTags(tagKey: string, ...tags: string[]): Promise<number>;
  tcRemoveIfUnchanged(entryKey: string, payload: Buffer): Promise<number>;
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
    // Unref'd: a client closed before it ever connected must not keep the process alive.
    const timer = setTimeout(done, timeoutMs).unref();
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

/** Options of {@link RedisTier.purgeTagStamps}. */
export interface PurgeTagStampsOptions {
  /** Fields scanned (and at most deleted) per round trip. Default 1,000. */
  batch?: number;
}

const DEFAULT_TOMBSTONE_TTL_MS = 60_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 250;

/**
 * L2: Redis, shared by every instance. One round trip per read, tag check included.
 *
 * What Redis forgets cannot bring entries back (docs/decisions/0003-l2-tombstones-and-floor.md):
 * a delete leaves a tombstone, a clear leaves a stamp, and a floor in the tag hash invalidates
 * every entry created before Redis was found to have lost or rolled back its state.
 */
export class RedisTier implements Tier {
  readonly name = 'l2' as const;
  readonly client: ScriptedRedis;
  /** Prefix of every key this tier writes (`keyPrefix`), for neighbours such as the fleet heartbeat. */
  readonly keyPrefix: string;
  private readonly ownsClient: boolean;
  /** Where every namespace's entries live under the key prefix: `<prefix>e:`. */
  private readonly entriesRoot: string;
  private readonly entryPrefix: string;
  private readonly tagKey: string;
  /** Field of the tag hash holding this namespace's clear stamp. */
  private readonly clearField: string;
  private readonly tombstoneTtlMs: string;
  private readonly namespace: string;
  private readonly codec: PayloadCodec;
  private readonly guard: RedisStateGuard;
  /** Settles when the first connection attempt does; calls made before then wait for it. */
  private firstAttempt: Promise<void> | undefined;

  constructor(options: RedisTierOptions) {
    if (!options.client && !options.url && !options.sentinel) throw new Error('RedisTier needs a client, a url or sentinels');
    const prefix = options.keyPrefix ?? 'tc:';
    const namespace = options.namespace ?? 'default';
    const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const tombstoneTtlMs = options.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
    if (!Number.isInteger(tombstoneTtlMs) || tombstoneTtlMs < 1) throw new Error(`tombstoneTtlMs must be a positive integer, got ${tombstoneTtlMs}`);
    this.ownsClient = !options.client;
    // Refuses a bad TLS or sentinel setting before anything connects.
    const client = createRedisClient(options, redisClientOptions(commandTimeoutMs));
    // Errors surface through the calls that fail; this only keeps ioredis from printing each one.
    if (!options.client) client.on('error', () => undefined);
    client.defineCommand('tcReadEntry', { numberOfKeys: 2, lua: READ_ENTRY });
    client.defineCommand('tcReadEntries', { lua: READ_ENTRIES });
    client.defineCommand('tcWriteEntry', { numberOfKeys: 2, lua: WRITE_ENTRY });
    client.defineCommand('tcWriteEntries', { lua: WRITE_ENTRIES });
    client.defineCommand('tcDeleteEntries', { lua: DELETE_ENTRIES });
    client.defineCommand('tcStampTags', { numberOfKeys: 1, lua: STAMP_TAGS });
    client.defineCommand('tcTagStamps', { numberOfKeys: 1, lua: TAG_STAMPS });
    client.defineCommand('tcReadClock', { numberOfKeys: 1, lua: READ_CLOCK });
    client.defineCommand('tcResync', { numberOfKeys: 1, lua: RESYNC });
    client.defineCommand('tcStampClear', { numberOfKeys: 1, lua: STAMP_CLEAR });
    client.defineCommand('tcUnlinkCleared', { lua: UNLINK_CLEARED });
    client.defineCommand('tcRaiseFloorToHorizon', { numberOfKeys: 1, lua: RAISE_FLOOR_TO_HORIZON });
    client.defineCommand('tcPurgeTags', { numberOfKeys: 1, lua: PURGE_TAGS });
    client.defineCommand('tcRemoveIfUnchanged', { numberOfKeys: 1, lua: REMOVE_IF_UNCHANGED });
    this.client = client as ScriptedRedis;
    this.keyPrefix = prefix;
    this.entriesRoot = `${prefix}e:`;
    this.entryPrefix = `${this.entriesRoot}${namespace}:`;
    this.tagKey = `${prefix}tags`;
    this.clearField = `${META.clearPrefix}${namespace}`;
    this.tombstoneTtlMs = String(tombstoneTtlMs);
    this.namespace = namespace;
    this.codec = options.codec ?? new PayloadCodec(options.serializer ?? v8Serializer, undefined);
    this.guard = new RedisStateGuard(this.client, (highestSeen) => this.client.tcResync(this.tagKey, String(highestSeen)), commandTimeoutMs);
    if (client.status !== 'ready') {
      // Without this, a call made right after start-up fails fast (no offline queue) and a write
      // is dropped, only because the socket was still opening.
      this.firstAttempt = firstConnectionAttempt(client, FIRST_ATTEMPT_WAIT_MS).finally(() => {
        this.firstAttempt = undefined;
      });
    }
  }

  /** Resolves when the client is connected and the server's state checked; commands fail fast until then. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.client.status !== 'ready') {
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
    await this.guard.pass();
  }

  /** The Redis key that holds `key`'s entry. */
  entryKey(key: string): string {
    return this.entryPrefix + key;
  }

  async get(key: string): Promise<TierReadResult> {
    await this.gate();
    const epoch = this.guard.epoch;
    const reply = await this.client.tcReadEntryBuffer(this.entryKey(key), this.tagKey, this.clearField);
    return this.readReply(key, reply, epoch);
  }

  /**
   * Reads `keys` in one round trip: one script that runs, per key, the very code of the single
   * read (tag stamps, floor and clear stamp checked in Redis), and answers one reply per key.
   */
  async getMany(keys: readonly string[]): Promise<TierReadResult[]> {
    await this.gate();
    if (keys.length === 0) return [];
    const epoch = this.guard.epoch;
    const replies = await this.client.tcReadEntriesBuffer(keys.length + 1, this.tagKey, ...keys.map((key) => this.entryKey(key)), this.clearField);
    return keys.map((key, index) => this.readReply(key, replies[index]!, epoch));
  }

  private readReply(key: string, reply: Reply[], epoch: number): TierReadResult {
    const [payload, created, staleAt, expiresAt, joinedTags] = reply;
    // A reply read across a reconnect may come from a server whose state is not checked yet.
    if (epoch !== this.guard.epoch) return { entry: undefined, tagStamps: new Map() };
    if (!payload) {
      if (reply[2]) {
        // No clock either: the engine then reads it through now(), which waits for the resync,
        // so the load is stamped above the new floor.
        this.guard.lost();
        return { entry: undefined, tagStamps: new Map() };
      }
      const clock = Number(reply[1]);
      this.guard.saw(clock);
      return { entry: undefined, tagStamps: new Map(), clock };
    }
    const tags = joinedTags!.length === 0 ? [] : joinedTags!.toString().split(TAG_SEPARATOR);
    const tagStamps = new Map<string, number>();
    for (let index = 0; index < tags.length; index++) tagStamps.set(tags[index]!, Number(reply[5 + index]));
    const createdAt = Number(created);
    const decoded = this.codec.decode(payloadIdentity(this.namespace, key, createdAt, tags), payload);
    if (decoded.kind === 'rejected') {
      // Never served, and removed so that the next read does not pay for it again.
      void this.client.tcRemoveIfUnchanged(this.entryKey(key), payload).catch(() => undefined);
      return { entry: undefined, tagStamps, rejected: decoded.reason };
    }
    // Written by an incompatible serializer: a miss, overwritten by the next write.
    if (decoded.kind === 'undecodable') return { entry: undefined, tagStamps };
    const entry: CacheEntry = {
      value: decoded.value,
      createdAt,
      staleAt: Number(staleAt),
      expiresAt: Number(expiresAt),
      tags,
      size: payload.length,
    };
    return { entry, tagStamps, payload: decoded.plain };
  }

  /** Writes unless refused: created at or before a tombstone, a clear, the floor, or the live entry. */
  async set(key: string, entry: CacheEntry, payload: Buffer): Promise<void> {
    await this.gate();
    const written = await this.client.tcWriteEntry(
      this.entryKey(key),
      this.tagKey,
      this.codec.encode(payloadIdentity(this.namespace, key, entry.createdAt, entry.tags), payload),
      String(entry.createdAt),
      String(entry.staleAt),
      String(Math.ceil(entry.expiresAt)),
      entry.tags.join(TAG_SEPARATOR),
      this.clearField,
    );
    if (written === -1) this.guard.lost();
  }

  /** {@link set} for many distinct keys in one script call, each refused or written by the same rules. */
  async setMany(items: ReadonlyArray<TierWrite>): Promise<void> {
    await this.gate();
    if (items.length === 0) return;
    const args: Array<string | Buffer> = [this.clearField];
    for (const { key, entry, payload } of items) {
      args.push(
        this.codec.encode(payloadIdentity(this.namespace, key, entry.createdAt, entry.tags), payload),
        String(entry.createdAt),
        String(entry.staleAt),
        String(Math.ceil(entry.expiresAt)),
        entry.tags.join(TAG_SEPARATOR),
      );
    }
    const written = await this.client.tcWriteEntries(items.length + 1, this.tagKey, ...items.map(({ key }) => this.entryKey(key)), ...args);
    if (written === -1) this.guard.lost();
  }

  /** Replaces each entry by a tombstone, so that a write created before the delete is refused. */
  async delete(keys: readonly string[]): Promise<void> {
    await this.gate();
    if (keys.length === 0) return;
    await this.client.tcDeleteEntries(keys.length + 1, this.tagKey, ...keys.map((key) => this.entryKey(key)), this.tombstoneTtlMs);
  }

  async invalidateTags(tags: readonly string[], stamp = 0): Promise<number> {
    await this.gate();
    const [used, lost] = await this.client.tcStampTags(this.tagKey, String(stamp), ...tags);
    const value = Number(used);
    this.guard.saw(value);
    if (lost === 1) this.guard.lost();
    return value;
  }

  /** Current stamps of `tags`; a tag without a record has the floor's stamp. */
  async tagStamps(tags: readonly string[]): Promise<Map<string, number>> {
    await this.gate();
    const stamps = new Map<string, number>();
    if (tags.length === 0) return stamps;
    const values = await this.afterResync(() => this.client.tcTagStamps(this.tagKey, ...tags));
    tags.forEach((tag, index) => stamps.set(tag, Number(values[index])));
    return stamps;
  }

  /** The tag clock (µs): the server's `TIME`, or above the highest stamp issued if that is later. */
  async now(): Promise<number> {
    await this.gate();
    const clock = Number(await this.client.tcReadClock(this.tagKey));
    this.guard.saw(clock);
    return clock;
  }

  /** Stamps the namespace as cleared (earlier entries are misses, earlier writes refused), then frees their memory. */
  async clear(): Promise<void> {
    await this.gate();
    const stamp = await this.afterResync(() => this.client.tcStampClear(this.tagKey, this.clearField));
    await this.unlinkCleared(this.entryPrefix, stamp);
  }

  /**
   * Clears every namespace under this tier's key prefix (the admin's clear-all): raises the floor,
   * then frees the memory of the entries created before it.
   * @returns how many keys were removed.
   */
  async clearAllNamespaces(): Promise<number> {
    await this.gate();
    const stamp = await this.afterResync(() => this.client.tcStampClear(this.tagKey, META.floor));
    return this.unlinkCleared(this.entriesRoot, stamp);
  }

  /**
   * Drops the tag stamps no entry in L2 can still need: the floor is raised to now minus the
   * longest lifetime any write carried (every entry created before has expired), and the tags
   * stamped at or below it are deleted, since a tag without a record reads as the floor. Runs in
   * batches of HSCAN, each deletion re-checked in a script.
   * @returns how many tag stamps were dropped.
   */
  async purgeTagStamps(options: PurgeTagStampsOptions = {}): Promise<number> {
    const batch = options.batch ?? 1_000;
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive integer, got ${batch}`);
    await this.gate();
    const floor = Number(await this.afterResync(() => this.client.tcRaiseFloorToHorizon(this.tagKey)));
    let cursor = '0';
    let purged = 0;
    do {
      const [next, flat] = await this.client.hscan(this.tagKey, cursor, 'COUNT', batch);
      const candidates: string[] = [];
      for (let index = 0; index < flat.length; index += 2) {
        const field = flat[index]!;
        if (!field.startsWith('\u0000') && Number(flat[index + 1]) <= floor) candidates.push(field);
      }
      if (candidates.length > 0) purged += await this.client.tcPurgeTags(this.tagKey, ...candidates);
      cursor = next;
    } while (cursor !== '0');
    return purged;
  }

  async close(): Promise<void> {
    this.guard.dispose();
    if (this.ownsClient) await closeRedisClient(this.client);
  }

  private async gate(): Promise<void> {
    if (this.firstAttempt) await this.firstAttempt;
    await this.guard.pass();
  }

  /** Runs a script that answers null when the tag hash is lost; resyncs and runs it once more. */
  private async afterResync<T>(script: () => Promise<T | null>): Promise<T> {
    const first = await script();
    if (first !== null) return first;
    this.guard.lost();
    await this.guard.pass();
    const second = await script();
    if (second === null) throw new Error('Redis lost its tag hash again during a resync');
    return second;
  }

  /** Unlinks the keys under `prefix` (a literal) created at or before `stamp`; returns how many. */
  private async unlinkCleared(prefix: string, stamp: string): Promise<number> {
    let removed = 0;
    for await (const keys of scanPrefix(this.client, prefix, 1000)) removed += await this.client.tcUnlinkCleared(keys.length, ...keys, stamp);
    return removed;
  }
}
