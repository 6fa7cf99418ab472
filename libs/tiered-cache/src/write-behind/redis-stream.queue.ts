import type { Redis } from 'ioredis';
import { WriteBehindInputError, WriteBehindUnavailableError } from './write-behind.errors.js';
import type { QueuedWrite } from './write-behind.types.js';

/** Options of a {@link RedisStreamQueue}. */
export interface RedisStreamQueueOptions {
  /**
   * Give it a client with `enableOfflineQueue: false`: otherwise a write refused during an outage
   * sits in the client's queue and lands in Redis later, after the caller was told it failed.
   */
  client: Redis;
  /** Stream key, used as given (put your namespace in it). */
  stream: string;
  /** Consumer group of the flushers. Default `flushers`. */
  group?: string;
  /** Longest wait for Redis to accept a write. Default 1,000 ms. */
  appendTimeoutMs?: number;
}

/** Backlog of the queue: what is accepted and not yet flushed. */
export interface QueueBacklog {
  /** Writes accepted and not yet acknowledged by a flusher. */
  readonly size: number;
  /** Age of the oldest of them in seconds (Redis clock), 0 when there is none. */
  readonly lagSeconds: number;
}

type RawEntry = [id: string, fields: string[]];

/**
 * A durable queue of row writes on a Redis Stream with a consumer group. A write is accepted once
 * Redis has replied to its `XADD`; flushers read with `XREADGROUP`, take over the entries of a dead
 * flusher with `XAUTOCLAIM`, and remove what they applied with `XACK` + `XDEL`, so the stream
 * length is the backlog.
 */
export class RedisStreamQueue<T> {
  readonly stream: string;
  readonly group: string;
  private readonly client: Redis;
  private readonly appendTimeoutMs: number;
  private groupReady: Promise<void> | undefined;

  constructor(options: RedisStreamQueueOptions) {
    this.client = options.client;
    this.stream = options.stream;
    this.group = options.group ?? 'flushers';
    this.appendTimeoutMs = options.appendTimeoutMs ?? 1_000;
  }

  /**
   * Appends one write and resolves with its entry id once Redis has it.
   * @throws WriteBehindInputError for an empty row key or a value JSON cannot carry.
   * @throws WriteBehindUnavailableError when Redis fails or does not reply within the timeout.
   */
  async append(rowKey: string, value: T): Promise<string> {
    if (typeof rowKey !== 'string' || rowKey.length === 0) throw new WriteBehindInputError('rowKey', 'must be a non-empty string');
    let payload: string | undefined;
    try {
      payload = JSON.stringify(value);
    } catch (error) {
      throw new WriteBehindInputError('value', (error as Error).message);
    }
    if (payload === undefined) throw new WriteBehindInputError('value', 'is not JSON-serializable');
    try {
      await this.ensureGroup();
      const id = await within(this.appendTimeoutMs, this.client.xadd(this.stream, '*', 'k', rowKey, 'v', payload));
      if (typeof id !== 'string') throw new Error('XADD returned no id');
      return id;
    } catch (error) {
      throw new WriteBehindUnavailableError(this.stream, error);
    }
  }

  /** Entries idle longer than `minIdleMs` in other consumers' hands (a dead flusher's), now ours. */
  async claimStale(consumer: string, minIdleMs: number, count: number): Promise<QueuedWrite<T>[]> {
    const reply = (await this.inGroup(() => this.client.xautoclaim(this.stream, this.group, consumer, minIdleMs, '0-0', 'COUNT', count))) as [
      string,
      RawEntry[],
    ];
    return this.parse(reply[1]);
  }

  /** Entries this consumer read before and has not acknowledged (a failed apply), oldest first. */
  async ownPending(consumer: string, count: number): Promise<QueuedWrite<T>[]> {
    return this.readGroup(consumer, count, '0');
  }

  /** Entries no consumer has read yet. */
  async readNew(consumer: string, count: number): Promise<QueuedWrite<T>[]> {
    return this.readGroup(consumer, count, '>');
  }

  /** Acknowledges and deletes applied entries in one transaction. */
  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const results = await this.client.multi().xack(this.stream, this.group, ...ids).xdel(this.stream, ...ids).exec();
    const failed = results?.find(([error]) => error !== null);
    if (results === null || failed) throw failed?.[0] ?? new Error('XACK transaction aborted');
  }

  /** Backlog size and the age of the oldest unflushed write, by the Redis clock. */
  async backlog(): Promise<QueueBacklog> {
    const [[, size], [, oldest], [, time]] = (await this.client.multi().xlen(this.stream).xrange(this.stream, '-', '+', 'COUNT', 1).time().exec()) as [
      [unknown, number],
      [unknown, RawEntry[]],
      [unknown, [string, string]],
    ];
    const nowMs = Number(time[0]) * 1_000 + Math.floor(Number(time[1]) / 1_000);
    const first = oldest[0];
    const lagSeconds = first === undefined ? 0 : Math.max(0, (nowMs - idTime(first[0])) / 1_000);
    return { size, lagSeconds };
  }

  private async readGroup(consumer: string, count: number, from: '0' | '>'): Promise<QueuedWrite<T>[]> {
    const reply = (await this.inGroup(() => this.client.xreadgroup('GROUP', this.group, consumer, 'COUNT', count, 'STREAMS', this.stream, from))) as
      | Array<[string, RawEntry[]]>
      | null;
    return this.parse(reply?.[0]?.[1] ?? []);
  }

  /**
   * Runs a group command, creating the group first. A Redis that lost its data (restarted without
   * persistence, flushed) answers NOGROUP: the group is made again, from the stream's start.
   */
  private async inGroup<R>(command: () => Promise<R>): Promise<R> {
    await this.ensureGroup();
    try {
      return await command();
    } catch (error) {
      if (!(error as Error).message?.includes('NOGROUP')) throw error;
      this.groupReady = undefined;
      await this.ensureGroup();
      return command();
    }
  }

  private ensureGroup(): Promise<void> {
    // MKSTREAM creates the stream with the group; BUSYGROUP means another instance did it first.
    this.groupReady ??= this.client.xgroup('CREATE', this.stream, this.group, '0', 'MKSTREAM').then(
      () => undefined,
      (error: Error) => {
        if (error.message.includes('BUSYGROUP')) return;
        this.groupReady = undefined;
        throw error;
      },
    );
    return this.groupReady;
  }

  private parse(entries: readonly RawEntry[]): QueuedWrite<T>[] {
    // XAUTOCLAIM lists entries deleted meanwhile with null fields: they were flushed already.
    return entries
      .filter((entry): entry is RawEntry => Array.isArray(entry?.[1]))
      .map(([id, fields]) => {
        const map = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
        return { id, rowKey: map.get('k') ?? '', value: JSON.parse(map.get('v') ?? 'null') as T, acceptedAt: idTime(id) };
      });
  }
}

function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not reply within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
