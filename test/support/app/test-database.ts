import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/database/data-source.options.js';
import { seedDatabase, type SeedScale } from '../../../src/domain/seed/index.js';
import { uniqueName } from '../isolation.js';
import { TEST_DATABASE_URL } from '../services.js';

/** A PostgreSQL database of its own on the test server, dropped by `drop()`. */
export interface TestDatabase {
  readonly name: string;
  /** TEST_DATABASE_URL with the database name swapped: give it to the app as DATABASE_URL. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A whole database rather than a schema: the app's migrations write to `public`, so only a fresh
 * database keeps parallel suites (and reruns) from seeing each other's tables.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(label);
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      // FORCE ends connections a failed test may have left open (PostgreSQL 13+).
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Applies the app's migrations to the database at `url` and seeds it at `scale`, as `npm run seed` does. */
export async function migrateAndSeed(url: string, scale: SeedScale): Promise<void> {
  const dataSource = new DataSource({ ...dataSourceOptions({ url, pgliteDir: '', migrationsRun: false }), logging: ['error'] });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const runner = dataSource.createQueryRunner();
    await seedDatabase(runner, scale).finally(() => runner.release());
  } finally {
    await dataSource.destroy();
  }
}
