export * from './redis.tier.js';
