export * from './redis.tier.js';
export * from './redis-tls.js';
export * from './redis-acl.js';
