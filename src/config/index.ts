export * from './alerts.config.js';
export * from './config.error.js';
export * from './config.loader.js';
export * from './config.module.js';
export * from './config.summary.js';
export * from './config.types.js';
export * from './http-adapter.config.js';
export * from './http-limits.config.js';
