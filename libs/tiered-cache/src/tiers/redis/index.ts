export * from './redis.tier.js';
export * from './redis-tls.js';
export * from './redis-acl.js';
export * from './redis.connection.js';
export * from './redis.nodes.js';
