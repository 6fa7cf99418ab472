import type { MigrationInterface, QueryRunner } from 'typeorm';
import { cacheSchemaSql, dropCacheSchemaSql } from '@tiered-cache/nestjs';

/**
 * The L3 tier's tables and functions in `public`: `cache_entries`, `cache_tag_clock`,
 * `cache_clock_micros()`, `cache_invalidate_tags()`.
 *
 * The DDL comes from the library so the app and the library's tests create the same schema. It is
 * idempotent, so this migration is safe on a database where the tables already exist. A later
 * change to the library's DDL needs a new migration: this one has already run where it ran.
 */
export class CacheTables1795305600000 implements MigrationInterface {
  name = 'CacheTables1795305600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(cacheSchemaSql('public'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(dropCacheSchemaSql('public'));
  }
}
