export * from './key-group.dto.js';
export * from './key-group.options.js';
export * from './key-group.report.js';
export * from './key-group.service.js';
export * from './key-group.stats.js';
export * from './key-groups.controller.js';
