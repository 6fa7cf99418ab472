import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOpsSchemaSql, opsSchemaSql } from '@tiered-cache/nestjs/maintenance';

/**
 * The cache operations tables in `public`: `cache_audit_log`, `cache_cleanup_log` and the admin
 * clear confirmations. The DDL comes from the library, like the cache tables'.
 */
export class CacheOpsTables1795310300000 implements MigrationInterface {
  name = 'CacheOpsTables1795310300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(opsSchemaSql('public'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(dropOpsSchemaSql('public'));
  }
}
