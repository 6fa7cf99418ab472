import type { MigrationInterface, QueryRunner } from 'typeorm';
import { cacheSchemaSql } from '@tiered-cache/nestjs';

/**
 * Re-applies the library's idempotent L3 DDL: `cache_invalidate_tags(tags, floor)` now stamps with
 * the floor itself (the clock tier's stamp) instead of the later of the floor and PostgreSQL's
 * clock, so L2 and L3 hold equal stamps and a listener's catch-up can tell what was applied.
 */
export class CacheFunctionsV21795310400000 implements MigrationInterface {
  name = 'CacheFunctionsV21795310400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(cacheSchemaSql('public'));
  }

  async down(): Promise<void> {
    // The previous function body is not kept; the new one is compatible with every caller.
  }
}
