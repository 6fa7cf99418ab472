export * from './redis.tier.js';
export * from './redis-tls.js';
