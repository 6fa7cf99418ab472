import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PostgresInvalidationListener, TieredCache } from '@tiered-cache/nestjs';
import { LISTEN_CLIENT_FACTORY, type ListenClientFactory } from './listen-client.factory.js';

/** What one applied notification (or catch-up batch) carried. */
export type AppliedTagsListener = (tags: readonly string[], source: 'notify' | 'catch-up') => void;

/**
 * Applies the tags the domain triggers `pg_notify` on `cache_invalidation` to this instance's cache
 * (its L1, and the Redis clock that L2 reads), through the library's
 * `PostgresInvalidationListener`: a dedicated connection that reconnects and, after any gap,
 * re-reads `cache_tag_clock` for what it missed.
 *
 * It starts on application bootstrap, before the HTTP server accepts requests, and stops in
 * `onModuleDestroy`, before the cache closes (`beforeApplicationShutdown`) and the database goes.
 */
@Injectable()
export class DbInvalidationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DbInvalidation');
  private readonly listeners = new Set<AppliedTagsListener>();
  private listener: PostgresInvalidationListener | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly cache: TieredCache,
    @Inject(LISTEN_CLIENT_FACTORY) private readonly createClient: ListenClientFactory,
  ) {}

  /** Whether the LISTEN connection is up right now. */
  get connected(): boolean {
    return this.listener?.connected ?? false;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.listener = new PostgresInvalidationListener({
      cache: this.cache,
      createClient: this.createClient,
      onApplied: (tags, source) => {
        for (const listener of this.listeners) listener(tags, source);
      },
      onError: (error) => {
        // One line per distinct failure, not one per reconnect attempt.
        if (error.message !== this.lastError) this.logger.warn(`LISTEN cache_invalidation: ${error.message}`);
        this.lastError = error.message;
      },
    });
    await this.listener.start();
    if (this.listener.connected) this.logger.log('Listening for trigger invalidations on cache_invalidation');
    else this.logger.warn('Not listening yet for trigger invalidations; retrying in the background');
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.stop();
    this.listener = undefined;
  }

  /** Calls `listener` after each batch of tags is applied (metrics, tests). Returns an unsubscribe. */
  onApplied(listener: AppliedTagsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
