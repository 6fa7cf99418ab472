import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropPoliciesSchemaSql, policiesSchemaSql } from '@tiered-cache/nestjs/core';

/** `cache_policies` in `public`: the runtime cache policies the admin API edits (docs/policies.md). */
export class CachePolicies1795310700000 implements MigrationInterface {
  name = 'CachePolicies1795310700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(policiesSchemaSql('public'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(dropPoliciesSchemaSql('public'));
  }
}
