import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cacheSchemaSql } from '../../libs/tiered-cache/src/tiers/postgres/postgres.schema.js';

/** Where the bench finds its servers: the same variables as the app and the tests. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The storage of one bench run, isolated from everything else on the servers: a Redis key prefix
 * and a PostgreSQL schema of its own, both removed by {@link BenchEnv.dispose}.
 */
export interface BenchEnv {
  /** Every Redis key any library writes in this run starts with it (checked at the end). */
  readonly prefix: string;
  /** Schema holding the L3 tables (`cacheSchemaSql`). */
  readonly schema: string;
  /** Pool on that schema, shared by our L3 tier and the SELECT baseline. */
  readonly pool: pg.Pool;
  /** Admin client for population, checks and clean-up. Not used by any measured subject. */
  readonly admin: Redis;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Registers something to close before the storage is removed (caches, clients). */
  onDispose(close: () => Promise<unknown> | unknown): void;
  /** Closes what registered, removes the storage; resolves to the Redis keys still left under the prefix (0 unless something wrote during clean-up). */
  dispose(): Promise<number>;
}

export async function createBenchEnv(): Promise<BenchEnv> {
  const id = randomBytes(4).toString('hex');
  const prefix = `bench_${id}:`;
  const schema = `bench_${id}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  await pool.query(cacheSchemaSql(schema));
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const closers: Array<() => Promise<unknown> | unknown> = [];
  let disposed = false;

  const scanKeys = async (each: (keys: string[]) => Promise<unknown>) => {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      if (keys.length > 0) await each(keys);
      cursor = next;
    } while (cursor !== '0');
  };

  return {
    prefix,
    schema,
    pool,
    admin,
    redisUrl: REDIS_URL,
    databaseUrl: DATABASE_URL,
    onDispose(close) {
      closers.push(close);
    },
    async dispose() {
      if (disposed) return 0;
      disposed = true;
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch {
          // Clean-up goes on: the storage below must be removed whatever a subject did.
        }
      }
      await scanKeys((keys) => admin.unlink(...keys));
      let left = 0;
      await scanKeys(async (keys) => (left += keys.length));
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      admin.disconnect();
      return left;
    },
  };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  redis: string;
  postgres: string;
}

export async function machineInfo(env: BenchEnv): Promise<MachineInfo> {
  const cpus = os.cpus();
  const redisInfo = await env.admin.info('server');
  const { rows } = await env.pool.query<{ server_version: string }>('SHOW server_version');
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    redis: /redis_version:(\S+)/.exec(redisInfo)?.[1] ?? 'unknown',
    postgres: rows[0]?.server_version ?? 'unknown',
  };
}
