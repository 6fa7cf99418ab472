export * from './memcached/index.js';
export * from './memory/index.js';
export * from './postgres/index.js';
export * from './redis/index.js';
export * from './tier.js';
export * from './tls.options.js';
