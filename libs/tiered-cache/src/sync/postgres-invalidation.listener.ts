import type pg from 'pg';
import type { TieredCache } from '../core/tiered-cache.js';
import { quoteSchema } from '../tiers/postgres/postgres.schema.js';
import { PgChannelListener, type ListenClientFactory } from './pg-channel.listener.js';

/** Most tags applied in one `invalidateTags` call. */
const APPLY_BATCH = 500;

/** Channel the domain triggers `pg_notify` on. */
export const DEFAULT_INVALIDATION_CHANNEL = 'cache_invalidation';

export interface PostgresInvalidationListenerOptions {
  cache: TieredCache;
  /** Makes a new, unconnected client: the listener needs a dedicated session for LISTEN. */
  createClient: ListenClientFactory;
  channel?: string;
  /** Schema of `cache_tag_clock`, read to catch up after a reconnect. Default `public`. */
  schema?: string;
  /** Delay between reconnect attempts. Default 500 ms, doubling up to 10 s. */
  reconnectDelayMs?: number;
  /** On the first connect, catch up on tags invalidated this far back. Default 1 h. */
  initialCatchUpMs?: number;
  /** Called for each payload applied; for metrics and tests. */
  onApplied?: (tags: readonly string[], source: 'notify' | 'catch-up') => void;
  onError?: (error: Error) => void;
}

/** The payload the triggers send: `{"tags": ["product:1", ...]}`. */
export function parseInvalidationPayload(payload: string | undefined): string[] {
  if (!payload) return [];
  try {
    const parsed = JSON.parse(payload) as { tags?: unknown };
    return Array.isArray(parsed.tags) ? parsed.tags.filter((tag): tag is string => typeof tag === 'string' && tag.length > 0) : [];
  } catch {
    return [];
  }
}

/**
 * LISTENs for tags that database triggers invalidated and applies them to this instance's cache
 * (L1 memo, and the Redis clock so L2 agrees), on a {@link PgChannelListener}: a dedicated
 * connection that reconnects by itself. After any gap it re-reads `cache_tag_clock` for tags
 * stamped meanwhile, since NOTIFY keeps nothing for an absent listener.
 */
export class PostgresInvalidationListener {
  private readonly listener: PgChannelListener;
  private readonly schema: string;
  private connectedSince: Date | undefined;
  private lostAt: Date | undefined;
  private readonly pending = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(private readonly options: PostgresInvalidationListenerOptions) {
    this.schema = quoteSchema(options.schema ?? 'public');
    this.listener = new PgChannelListener({
      createClient: options.createClient,
      channel: options.channel ?? DEFAULT_INVALIDATION_CHANNEL,
      reconnectDelayMs: options.reconnectDelayMs,
      onNotification: (payload) => this.enqueue(parseInvalidationPayload(payload)),
      onConnected: (client) => this.caughtUp(client),
      onLost: () => this.handleLoss(),
      onError: options.onError,
    });
  }

  get connected(): boolean {
    return this.listener.connected && this.connectedSince !== undefined;
  }

  /** Connects and starts listening. Resolves after the first attempt, connected or not. */
  async start(): Promise<void> {
    await this.listener.start();
  }

  async stop(): Promise<void> {
    this.connectedSince = undefined;
    await this.listener.stop();
    await this.draining;
  }

  private async caughtUp(client: pg.Client): Promise<void> {
    const since = this.lostAt ?? new Date(Date.now() - (this.options.initialCatchUpMs ?? 3_600_000));
    try {
      await this.catchUp(client, since);
    } finally {
      // Listening either way; a failed catch-up is reported through onError.
      this.lostAt = undefined;
      this.connectedSince = new Date();
    }
  }

  /**
   * Applies tags stamped while nobody here was listening. Only tags whose shared-clock stamp is
   * behind the table's are invalidated, so a restart does not invalidate what was applied already.
   */
  private async catchUp(client: pg.Client, since: Date): Promise<void> {
    const { rows } = await client.query<{ tag: string; stamp: string }>(
      `SELECT tag, stamp::text AS stamp FROM ${this.schema}.cache_tag_clock WHERE invalidated_at >= $1::timestamptz - interval '5 seconds'`,
      [since.toISOString()],
    );
    for (let i = 0; i < rows.length; i += APPLY_BATCH) {
      const batch = rows.slice(i, i + APPLY_BATCH);
      const stamps = new Map(batch.map((row) => [row.tag, Number(row.stamp)]));
      await this.options.cache.reconcileTagStamps(stamps, { source: 'db', broadcast: false });
      this.options.onApplied?.(batch.map((row) => row.tag), 'catch-up');
    }
  }

  /**
   * Queues notified tags and applies them in batches, one at a time: a burst of notifications (a
   * seed, a migration) becomes a few `invalidateTags` calls instead of hundreds of concurrent ones
   * that would time out against Redis and open its breaker.
   */
  private enqueue(tags: string[]): void {
    for (const tag of tags) this.pending.add(tag);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending].slice(0, APPLY_BATCH);
      for (const tag of batch) this.pending.delete(tag);
      try {
        await this.options.cache.invalidateTags(batch, { source: 'db', broadcast: false });
        this.options.onApplied?.(batch, 'notify');
      } catch (error) {
        this.options.onError?.(error as Error);
      }
    }
  }

  private handleLoss(): void {
    if (this.connectedSince !== undefined) this.lostAt = new Date();
    this.connectedSince = undefined;
    // Whatever was notified during the gap is lost; L1 may hold entries invalidated meanwhile.
    this.options.cache.l1?.reset();
  }
}
