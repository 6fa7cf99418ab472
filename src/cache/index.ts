export * from './cache-options.factory.js';
export * from './cache-sync.module.js';
export * from './db-invalidation.service.js';
export * from './listen-client.factory.js';
