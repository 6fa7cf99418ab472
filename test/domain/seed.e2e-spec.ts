import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, type QueryRunner } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { assertSeedScale, DOMAIN_TABLES, SEED_SCALES, seedDatabase } from '../../src/domain/seed/index.js';
import { createTestDatabase, type TestDatabase } from '../support/app/test-database.js';

/** The seed: deterministic (same scale, same rows, every run), consistent, and in seconds for `small`. */
describe('seed', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let runner: QueryRunner;

  /** One md5 per table over every row in key order: equal digests mean identical data. */
  const digests = async () => {
    const digest: Record<string, string> = {};
    for (const table of DOMAIN_TABLES) {
      const [{ md5 }] = await runner.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS md5 FROM ${table} t`);
      digest[table] = md5;
    }
    return digest;
  };

  beforeAll(async () => {
    database = await createTestDatabase('seed');
    dataSource = await new DataSource(dataSourceOptions({ url: database.url, pgliteDir: '', migrationsRun: true })).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    runner = dataSource.createQueryRunner();
  }, 60_000);

  afterAll(async () => {
    await runner?.release();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('fills every table at scale small in seconds, and a rerun produces the same rows', async () => {
    const first = await seedDatabase(runner, SEED_SCALES.small);
    expect(first.totalMs).toBeLessThan(10_000);
    expect(first.rows).toMatchObject({ clients: 3, products: 6, modules: 30, students: 300, expert_sessions: 24, chat_sessions: 60 });
    expect(first.rows.student_module_progress).toBeGreaterThan(1_000);
    expect(first.rows.expert_session_progress).toBeGreaterThan(500);
    expect(first.rows.chat_messages).toBeGreaterThan(500);
    const once = await digests();
    const second = await seedDatabase(runner, SEED_SCALES.small);
    expect(second.rows).toEqual(first.rows);
    // Timestamps included: nothing depends on now(), random() or row order.
    expect(await digests()).toEqual(once);
  });

  it('keeps the trigger-maintained chat counters right', async () => {
    const [{ wrong }] = await runner.query(
      `SELECT count(*)::int AS wrong FROM chat_sessions c
       WHERE c.message_count <> (SELECT count(*) FROM chat_messages m WHERE m.chat_id = c.id)
          OR c.last_activity_at <> (SELECT max(created_at) FROM chat_messages m WHERE m.chat_id = c.id)`,
    );
    expect(wrong).toBe(0);
  });

  it('enrols students only in products of their own client', async () => {
    const [{ foreign }] = await runner.query(
      `SELECT count(*)::int AS foreign FROM student_module_progress smp
       JOIN students s ON s.id = smp.student_id JOIN modules m ON m.id = smp.module_id JOIN products p ON p.id = m.product_id
       WHERE p.client_id <> s.client_id`,
    );
    expect(foreign).toBe(0);
  });

  it('rejects a scale it cannot build, naming the field', () => {
    expect(() => assertSeedScale({ ...SEED_SCALES.small, productsPerClient: 9 })).toThrow(/productsPerClient/);
    expect(() => assertSeedScale({ ...SEED_SCALES.small, modulesPerProduct: 0 })).toThrow(/modulesPerProduct/);
    expect(() => assertSeedScale({ ...SEED_SCALES.small, chatUsers: 10_000 })).toThrow(/chatUsers/);
  });
});
