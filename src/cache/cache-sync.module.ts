import { Module } from '@nestjs/common';
import { DbInvalidationService } from './db-invalidation.service.js';
import { LISTEN_CLIENT_FACTORY, listenClientFactoryProvider } from './listen-client.factory.js';

/**
 * Keeps the cache in step with writes made by anyone: the trigger-invalidation listener, and the
 * LISTEN client factory other modules (chat events) use for their own channels.
 */
@Module({
  providers: [listenClientFactoryProvider, DbInvalidationService],
  exports: [LISTEN_CLIENT_FACTORY, DbInvalidationService],
})
export class CacheSyncModule {}
