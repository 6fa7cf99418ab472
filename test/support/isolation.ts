import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cacheSchemaSql } from '../../libs/tiered-cache/src/tiers/postgres/postgres.schema.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './services.js';

/** A name no other test (or parallel worker) uses. */
export function uniqueName(label: string): string {
  return `t_${label}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** A PostgreSQL schema of its own with the cache tables, dropped by `drop()`. */
export interface TestSchema {
  readonly schema: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestSchema(label: string, options: { withCacheTables?: boolean } = {}): Promise<TestSchema> {
  const schema = uniqueName(label);
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 10, options: `-c search_path=${schema},public` });
  if (options.withCacheTables === false) await pool.query(`CREATE SCHEMA "${schema}"`);
  else await pool.query(cacheSchemaSql(schema));
  return {
    schema,
    pool,
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** A Redis key prefix of its own; `drop()` deletes every key under it. */
export interface TestRedis {
  readonly prefix: string;
  readonly client: Redis;
  drop(): Promise<void>;
}

export function createTestRedis(label: string): TestRedis {
  const prefix = `${uniqueName(label)}:`;
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  return {
    prefix,
    client,
    async drop() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      await client.quit();
    },
  };
}
