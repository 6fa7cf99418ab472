export * from './dashboard-assets.js';
export * from './dashboard.constants.js';
export * from './dashboard.controller.js';
export * from './dashboard.module.js';
export * from './dashboard.options.js';
