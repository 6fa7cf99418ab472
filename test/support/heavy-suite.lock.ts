import pg from 'pg';
import { TEST_DATABASE_URL } from './services.js';

/** Advisory lock key shared by every suite that loads the whole machine. */
const HEAVY_SUITE_LOCK = 726_100_001;

/**
 * Suites that load the whole machine (several app processes under load, a browser) also measure
 * latencies, and two of them at once on two cores stretch each other's tails: the Redis-kill p99
 * failed twice that way, each time beside the browser suite. A session advisory lock on the test
 * server lets one such suite run at a time across Jest workers, while the other worker goes on with
 * the light suites. A crashed worker's connection closes, which releases the lock.
 * @returns the function that releases it.
 */
export async function holdHeavySuiteLock(): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [HEAVY_SUITE_LOCK]);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return async () => {
    await client.query('SELECT pg_advisory_unlock($1)', [HEAVY_SUITE_LOCK]).catch(() => undefined);
    await client.end().catch(() => undefined);
  };
}
