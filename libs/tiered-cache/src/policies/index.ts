export * from './policy.js';
export * from './policy.errors.js';
export * from './policy.parse.js';
export * from './policy-set.js';
export * from './policy-board.js';
export * from './policies.schema.js';
export * from './policy.pg-store.js';
export * from './policy-sync.js';
