export * from './telemetry.options.js';
export * from './tiered-cache-telemetry.module.js';
export * from './tiered-cache.telemetry.js';
