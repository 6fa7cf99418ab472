import type { TieredCache } from '../core/tiered-cache.js';
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
  /** Delay between reconnect attempts. Default 500 ms, doubling up to 10 s. */
  reconnectDelayMs?: number;
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
 * connection that reconnects by itself. After any gap it sweeps the tags the triggers marked
 * pending meanwhile ({@link TieredCache.syncPendingTags}), since NOTIFY keeps nothing for an absent
 * listener.
 */
export class PostgresInvalidationListener {
  private readonly listener: PgChannelListener;
  private connectedSince: Date | undefined;
  private readonly pending = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(private readonly options: PostgresInvalidationListenerOptions) {
    this.listener = new PgChannelListener({
      createClient: options.createClient,
      channel: options.channel ?? DEFAULT_INVALIDATION_CHANNEL,
      reconnectDelayMs: options.reconnectDelayMs,
      onNotification: (payload) => this.enqueue(parseInvalidationPayload(payload)),
      onConnected: () => this.caughtUp(),
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

  /**
   * NOTIFY keeps nothing for an absent listener, and a clock cannot say what committed during a gap
   * (a transaction's `now()` is its start, and the app's clock is not the database's). The trigger
   * marks its tags pending in the same transaction instead; whatever is still pending is swept now.
   * L1 is emptied: it may hold what was invalidated during the gap.
   */
  private async caughtUp(): Promise<void> {
    try {
      this.options.cache.invalidationSourceRestored('listener');
      const swept = await this.options.cache.syncPendingTags();
      if (swept.length > 0) this.options.onApplied?.(swept, 'catch-up');
    } catch (error) {
      this.options.onError?.(error as Error);
    } finally {
      this.connectedSince = new Date();
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
    this.connectedSince = undefined;
    // Whatever is notified during the gap is lost: L1 lives short until the catch-up.
    this.options.cache.invalidationSourceLost('listener');
  }
}
