import type { MigrationInterface, QueryRunner } from 'typeorm';
import { cacheSchemaSql } from '@tiered-cache/nestjs';

/**
 * Re-applies the library's idempotent L3 DDL for the consistency work (docs/consistency.md):
 * `cache_tag_clock.pending_stamp` (tags stamped here and not yet in Redis, swept by every instance),
 * `cache_namespace_clock` (clear stamps), an index on `cache_entries.created_stamp`, and
 * `cache_stamp_tags()`, with which the engine stamps above every entry stamp held. The triggers'
 * `cache_invalidate_tags()` keeps its signature and still reads nothing of `cache_entries`.
 */
export class CacheConsistency1795310500000 implements MigrationInterface {
  name = 'CacheConsistency1795310500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(cacheSchemaSql('public'));
  }

  async down(): Promise<void> {
    // The previous function body is not kept, and the new one needs the new column and table.
  }
}
