import type { MigrationInterface } from 'typeorm';
import { CacheTables1795305600000 } from './1795305600000-cache-tables.migration.js';
import { LearningSchema1795310000000 } from './1795310000000-learning-schema.migration.js';
import { ChatSchema1795310100000 } from './1795310100000-chat-schema.migration.js';
import { CacheInvalidationTriggers1795310200000 } from './1795310200000-cache-invalidation-triggers.migration.js';
import { CacheOpsTables1795310300000 } from './1795310300000-cache-ops-tables.migration.js';
import { CacheFunctionsV21795310400000 } from './1795310400000-cache-functions-v2.migration.js';
import { CacheConsistency1795310500000 } from './1795310500000-cache-consistency.migration.js';
import { CacheStatsHistory1795310600000 } from './1795310600000-cache-stats-history.migration.js';
import { CachePolicies1795310700000 } from './1795310700000-cache-policies.migration.js';

/**
 * Every migration, oldest first. Listed as classes rather than found by a file glob, so the same
 * list works from `dist/` under Node and from TypeScript sources under Jest.
 */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CacheTables1795305600000,
  LearningSchema1795310000000,
  ChatSchema1795310100000,
  CacheInvalidationTriggers1795310200000,
  CacheOpsTables1795310300000,
  CacheFunctionsV21795310400000,
  CacheConsistency1795310500000,
  CacheStatsHistory1795310600000,
  CachePolicies1795310700000,
];
