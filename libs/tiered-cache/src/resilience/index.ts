export * from './auto-recovery.js';
export * from './circuit-breaker.js';
export * from './distributed-lock.js';
export * from './key-lock.js';
export * from './loader-timeouts.js';
export * from './recovery-queue.js';
