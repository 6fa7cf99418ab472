export * from './bus-message.js';
export * from './pg-channel.listener.js';
export * from './pg-listen-client.factory.js';
export * from './postgres-invalidation.listener.js';
export * from './postgres.bus.js';
export * from './redis.bus.js';
