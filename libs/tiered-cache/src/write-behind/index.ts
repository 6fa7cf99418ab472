export * from './coalesce.js';
export * from './flusher.lease.js';
export * from './redis-stream.queue.js';
export * from './write-behind.errors.js';
export * from './write-behind.flusher.js';
export * from './write-behind.js';
export * from './write-behind.types.js';
