/**
 * `@tiered-cache/nestjs`: the engine, `TieredCacheModule` and the decorators. Health, admin,
 * metrics, dashboard, maintenance and the Keyv store are subpaths of their own
 * (`@tiered-cache/nestjs/health`, ...), so that an app pulls in only the peers of what it uses.
 */
export * from './engine.js';
export * from './nest/index.js';
