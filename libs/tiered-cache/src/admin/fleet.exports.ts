// The fleet view's public API, re-exported by the admin entry point in one line.
export * from './fleet-heartbeat.pg-store.js';
export * from './fleet-heartbeat.service.js';
export * from './fleet-heartbeat.store.js';
export * from './fleet-status.js';
export * from './fleet.controller.js';
export * from './fleet.options.js';
export * from './fleet.schema.js';
export * from './library-version.js';
