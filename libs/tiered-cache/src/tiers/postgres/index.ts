export * from './postgres.schema.js';
export * from './postgres.setup.js';
export * from './postgres.tier.js';
export * from './postgres-tls.js';
