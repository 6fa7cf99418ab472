import { assertSeedScale, type SeedScale } from './seed-scales.js';
import { seedSteps } from './seed.sql.js';

/** What the seed needs of a connection: one session (so the transaction and temp objects hold). */
export interface SeedSession {
  query(sql: string): Promise<unknown>;
}

export interface SeedReport {
  /** Rows per domain table after the run. */
  readonly rows: Readonly<Record<string, number>>;
  readonly totalMs: number;
}

export const DOMAIN_TABLES = [
  'clients',
  'products',
  'modules',
  'students',
  'student_module_progress',
  'expert_sessions',
  'expert_session_progress',
  'chat_sessions',
  'chat_messages',
] as const;

/**
 * Replaces the domain data with the deterministic data set of `scale`, in one transaction: a seed
 * that fails leaves the previous data in place. Then `VACUUM ANALYZE`, so the planner knows the new
 * sizes and the covering indexes can serve index-only scans at once.
 *
 * @param session a single connection (a TypeORM `QueryRunner`, a `pg.Client`), not a pool.
 * @param onStep called after each step, for progress output.
 */
export async function seedDatabase(
  session: SeedSession,
  scale: SeedScale,
  onStep: (step: string, ms: number) => void = () => undefined,
): Promise<SeedReport> {
  assertSeedScale(scale);
  const started = performance.now();
  const timed = async (step: string, sql: string) => {
    const t0 = performance.now();
    await session.query(sql);
    const ms = Math.round(performance.now() - t0);
    onStep(step, ms);
  };

  await session.query('BEGIN');
  try {
    // Bulk load: the triggers' per-statement aggregates and the joins want memory, and nothing
    // here needs to wait for the WAL flush of each step.
    await session.query(`SET LOCAL work_mem = '128MB'; SET LOCAL synchronous_commit = off`);
    for (const step of seedSteps(scale)) await timed(step.name, step.sql);
    await timed('commit', 'COMMIT');
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await timed('vacuum analyze', `VACUUM ANALYZE ${DOMAIN_TABLES.join(', ')}`);

  const result = await session.query(`SELECT ${DOMAIN_TABLES.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ')}`);
  // TypeORM resolves to the rows, node-postgres to a result holding them.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<Record<string, number>>;
  return { rows: rows[0], totalMs: Math.round(performance.now() - started) };
}
