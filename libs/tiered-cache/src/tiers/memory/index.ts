export * from './memory.tier.js';
