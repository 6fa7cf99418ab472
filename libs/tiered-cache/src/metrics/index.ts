export * from './controller-at.js';
export * from './metrics-token.guard.js';
export * from './metrics.constants.js';
export * from './metrics.controller.js';
export * from './metrics.module.js';
export * from './metrics.options.js';
export * from './tier-timing.js';
export * from './tiered-cache.metrics.js';
