/**
 * `@tiered-cache/nestjs/core`: the engine without Nest. `TieredCache`, the tiers, the bus and the
 * listener, resilience and security; Redis (`ioredis`) and PostgreSQL (`pg`) are loaded only when
 * a tier that needs them is configured.
 */
export * from './core/index.js';
export * from './resilience/index.js';
export * from './security/index.js';
export * from './sync/index.js';
export * from './tiers/index.js';
export * from './policies/index.js';
