import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTrendsSchemaSql, trendsSchemaSql } from '@tiered-cache/nestjs/admin';

/**
 * The stats history in `public` (docs/trends.md): `cache_stats_minute` (per instance and minute)
 * and `cache_stats_hour` (the fleet per hour). The DDL comes from the library.
 */
export class CacheStatsHistory1795310600000 implements MigrationInterface {
  name = 'CacheStatsHistory1795310600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(trendsSchemaSql('public'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(dropTrendsSchemaSql('public'));
  }
}
