export * from './watch-progress-queue.module.js';
export * from './watch-progress.write-behind.js';
export * from './watch-progress.write.js';
