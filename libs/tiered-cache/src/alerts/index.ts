export * from './alert-rules.js';
export * from './alert-rules.prometheus.js';
export * from './alert-sample.js';
export * from './alert-thresholds.js';
export * from './loader-runs.js';
export * from './alert-evaluator.js';
export * from './alert-webhook.notifier.js';
