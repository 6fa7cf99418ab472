import pg from 'pg';
import { signToken } from '../../../src/auth/token.codec.js';
import { SEED_SCALES } from '../../../src/domain/seed/index.js';
import { TEST_JWT_SECRET } from '../app/boot-app.js';
import { TEST_ADAPTER_ENV } from '../app/http-adapter.js';
import { createTestDatabase, migrateAndSeed, type TestDatabase } from '../app/test-database.js';
import { holdHeavySuiteLock } from '../heavy-suite.lock.js';
import { RedisProcess } from '../redis-process.js';
import { ensureAppBuilt } from './app-build.js';
import { AppProcess } from './app-process.js';
import { closeHttpAgent, httpRequest, type HttpOptions, type HttpReply } from './http.js';

export interface AppClusterOptions {
  /** Names the database, the log files and the Redis namespace. Lower-case letters, digits, `-`. */
  readonly label: string;
  /** How many app processes. */
  readonly instances: number;
  /** Extra environment for every instance. */
  readonly env?: Readonly<Record<string, string>>;
}

/** One running instance and a JSON client for it, signed as admin (writes, /admin) or as a user. */
export interface ClusterInstance {
  readonly name: string;
  readonly process: AppProcess;
  /** As an ordinary signed-in user. */
  get(path: string, options?: Omit<HttpOptions, 'path' | 'token'>): Promise<HttpReply>;
  /** As an admin: writes and the admin API. */
  admin(options: Omit<HttpOptions, 'token'>): Promise<HttpReply>;
}

/**
 * N processes of the built reference app on their own loopback ports, sharing a fresh database
 * (migrated and seeded at scale `small` with the seed the domain e2e tests use) and a private
 * redis-server on its own port, which a test may stop and start (the shared Redis on 6379 is never
 * touched). `stop()` ends every process by pid, the Redis server, and drops the database.
 */
export interface AppCluster {
  readonly database: TestDatabase;
  /** A pool on the cluster's database, for direct SQL (outside the app). */
  readonly pool: pg.Pool;
  readonly redis: RedisProcess;
  readonly instances: readonly ClusterInstance[];
  readonly adminToken: string;
  readonly userToken: string;
  stop(): Promise<void>;
}

export async function startAppCluster(options: AppClusterOptions): Promise<AppCluster> {
  await ensureAppBuilt();
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    cleanups.push(await holdHeavySuiteLock()); // released last, once everything below has stopped
    const database = await createTestDatabase(options.label.replace(/-/g, '_'));
    cleanups.push(() => database.drop());
    await migrateAndSeed(database.url, SEED_SCALES.small);
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on('error', () => undefined); // an idle client cut off by the server must not crash the worker
    cleanups.push(() => pool.end());
    const redis = await RedisProcess.start();
    cleanups.push(() => redis.stop());

    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      CACHE_NAMESPACE: options.label.replace(/[^A-Za-z0-9_.-]/g, '_'),
      DB_MIGRATIONS_RUN: 'false',
      ...TEST_ADAPTER_ENV,
      ...options.env,
    };
    const [adminToken, userToken] = await Promise.all([
      signToken(TEST_JWT_SECRET, { sub: 'resilience-admin', role: 'admin' }, '2h'),
      signToken(TEST_JWT_SECRET, { sub: 'resilience-user', role: 'user' }, '2h'),
    ]);
    const names = 'abcdefghij'.slice(0, options.instances).split('');
    const started: AppProcess[] = [];
    cleanups.push(() => Promise.all(started.map((app) => app.stop())));
    // allSettled: when one fails to boot, the others are known (and stopped) before cleaning up.
    const boots = await Promise.allSettled(
      names.map(async (name) => {
        const app = await AppProcess.start({ label: `${options.label}-${name}`, env });
        started.push(app);
        return app;
      }),
    );
    const failed = boots.find((boot) => boot.status === 'rejected');
    if (failed) throw failed.reason;
    const processes = boots.map((boot) => (boot as PromiseFulfilledResult<AppProcess>).value);
    const instances = processes.map(
      (app, index): ClusterInstance => ({
        name: names[index]!,
        process: app,
        get: (path, extra) => httpRequest(app.url, { ...extra, path, token: userToken }),
        admin: (request) => httpRequest(app.url, { ...request, token: adminToken }),
      }),
    );
    cleanups.push(async () => closeHttpAgent());
    return { database, pool, redis, instances, adminToken, userToken, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
