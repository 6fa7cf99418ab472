export * from './health.constants.js';
export * from './health.controller.js';
export * from './health.module.js';
export * from './health.options.js';
export * from './source-database.health.js';
export * from './tiered-cache.health.js';
export * from './with-timeout.js';
export * from './write-behind.health.js';
