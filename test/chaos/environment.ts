import { Redis } from 'ioredis';
import pg from 'pg';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { PostgresInvalidationListener } from '../../libs/tiered-cache/src/sync/postgres-invalidation.listener.js';
import { createTestSchema, type TestSchema } from '../support/isolation.js';
import { MemcachedProcess } from '../support/memcached-process.js';
import { RedisProcess } from '../support/redis-process.js';
import { TEST_DATABASE_URL } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { SourceTable } from './source-table.js';

/** One engine instance and its trigger listener, with a wall clock the faults can skew. */
export interface ChaosInstance {
  readonly index: number;
  readonly cache: TieredCache;
  readonly listener: PostgresInvalidationListener;
  readonly skew: { ms: number };
  close(): Promise<void>;
}

/** Where an instance connects: both servers through their fault proxies. */
export interface ChaosTopology {
  readonly redisPort: number;
  readonly pgPort: number;
  readonly prefix: string;
  readonly schema: string;
  readonly channel: string;
  /** Set for the Memcached topology: L2 on these shards instead of Redis, the bus on PostgreSQL. */
  readonly memcachedServers?: readonly string[];
}

/** Which L2 a run's instances use. */
export type ChaosL2 = 'redis' | 'memcached';

const database = () => {
  const url = new URL(TEST_DATABASE_URL);
  return { user: decodeURIComponent(url.username) || 'postgres', password: decodeURIComponent(url.password) || undefined, database: url.pathname.slice(1) || 'postgres' };
};

/**
 * Parts of the engine's wiring a run can leave out on purpose, to prove the checker sees what
 * they are for: without the bus other instances' L1s keep what was erased, without the trigger
 * SQL updates invalidate nothing. (Without the listener alone the engine's pending-tag sweep still
 * carries trigger stamps to Redis within about a second.)
 */
export interface Sabotage {
  readonly bus?: boolean;
  readonly listener?: boolean;
  /** The source table's trigger: without it a SQL update invalidates nothing anywhere. */
  readonly trigger?: boolean;
}

/** Connects one instance, as an app process would, to the servers behind the proxies. */
export async function startInstance(index: number, topology: ChaosTopology, without: Sabotage = {}): Promise<ChaosInstance> {
  const skew = { ms: 0 };
  const connection = { host: '127.0.0.1', port: topology.pgPort, ...database() };
  const pool = new pg.Pool({ ...connection, max: 4, options: `-c search_path=${topology.schema},public` });
  // Cut connections emit errors on idle clients; the tier sees the failures on its own queries.
  pool.on('error', () => undefined);
  const cache = new TieredCache({
    instanceId: `i${index}`,
    ...(topology.memcachedServers
      ? { memcached: { servers: topology.memcachedServers, keyPrefix: topology.prefix } }
      : { redis: { url: `redis://127.0.0.1:${topology.redisPort}`, keyPrefix: topology.prefix } }),
    postgres: { pool, schema: topology.schema },
    now: () => Date.now() + skew.ms,
    // Sealed payloads and signed bus messages: the checker judges the paths production runs with integrity on.
    integrity: { keys: [{ id: 'chaos', secret: 'the-chaos-run-secret-of-32-bytes-or-more' }] },
    ...(without.bus ? { bus: false } : {}),
  });
  await cache.ready(2_000);
  const listener = new PostgresInvalidationListener({
    cache,
    createClient: () => new pg.Client(connection),
    channel: topology.channel,
    reconnectDelayMs: 100,
    onError: () => undefined,
  });
  if (!without.listener) await listener.start();
  return {
    index,
    cache,
    listener,
    skew,
    async close() {
      await listener.stop();
      await cache.close();
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * Everything one run needs: a private redis-server (restartable and flushable without touching
 * the shared one) and the shared PostgreSQL (a schema of its own), each behind a {@link TcpProxy},
 * the source table, and raw clients straight to the private Redis for faults the proxy cannot make.
 */
export interface ChaosEnvironment {
  readonly redis: RedisProcess;
  readonly redisProxy: TcpProxy;
  readonly pgProxy: TcpProxy;
  readonly db: TestSchema;
  readonly source: SourceTable;
  readonly topology: ChaosTopology;
  /** Straight to the private redis-server, never through the proxy. */
  readonly raw: Redis;
  /** The Memcached shards of the Memcached topology (Redis then carries nothing of the cache's). */
  readonly memcached: readonly MemcachedProcess[];
  dispose(): Promise<void>;
}

/**
 * Drops the run's schema. A statement of a closing instance may still hold a lock on one of its
 * tables, and DROP ... CASCADE then loses a deadlock: retry a few times.
 */
async function dropSchema(db: TestSchema): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.drop();
    } catch (error) {
      if (attempt >= 5 || (error as { code?: string }).code !== '40P01') throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

export async function startEnvironment(without: Sabotage = {}, l2: ChaosL2 = 'redis'): Promise<ChaosEnvironment> {
  const redis = await RedisProcess.start();
  const memcached = l2 === 'memcached' ? [await MemcachedProcess.start(), await MemcachedProcess.start()] : [];
  const db = await createTestSchema('chaos');
  const source = await SourceTable.create(db.pool, db.schema, { invalidate: !without.trigger });
  const redisProxy = await TcpProxy.start({ port: redis.port });
  const pgUrl = new URL(TEST_DATABASE_URL);
  const pgProxy = await TcpProxy.start({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
  const raw = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  raw.on('error', () => undefined);
  const topology: ChaosTopology = {
    redisPort: redisProxy.port,
    pgPort: pgProxy.port,
    prefix: 'chaos:',
    schema: db.schema,
    channel: source.channel,
    ...(l2 === 'memcached' ? { memcachedServers: memcached.map((server) => server.address) } : {}),
  };
  return {
    redis,
    redisProxy,
    pgProxy,
    db,
    source,
    topology,
    raw,
    memcached,
    async dispose() {
      raw.disconnect();
      for (const server of memcached) await server.stop();
      await redisProxy.close();
      await pgProxy.close();
      await redis.stop();
      await dropSchema(db);
    },
  };
}
