export * from './ketama.ring.js';
export * from './memcached.tier.js';
