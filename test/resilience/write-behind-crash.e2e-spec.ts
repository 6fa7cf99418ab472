import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { signToken } from '../../src/auth/token.codec.js';
import { TEST_JWT_SECRET } from '../support/app/boot-app.js';
import { TEST_ADAPTER_ENV } from '../support/app/http-adapter.js';
import { waitFor } from '../support/eventually.js';
import { startAppCluster, type AppCluster } from '../support/processes/app-cluster.js';
import { AppProcess } from '../support/processes/app-process.js';
import { httpRequest } from '../support/processes/http.js';

/**
 * Write-behind of the watch progress (docs/write-behind.md) with real processes killed by SIGKILL:
 * the accepting instance in the middle of a flood, and the flusher between its database apply and
 * its acknowledgement. Every acknowledged report must be in PostgreSQL afterwards, and a replayed
 * batch must change nothing.
 */
const LABEL = 'wb-crash';
const ROWS = 6;

interface Row {
  readonly sub: string;
  readonly studentId: number;
  readonly sessionId: number;
  token: string;
}

interface Stored {
  student_id: number;
  expert_session_id: number;
  watch_time_seconds: number;
  progress_percentage: number;
  is_completed: boolean;
  completed_at: Date | null;
  last_watched_at: Date;
}

describe('write-behind: kill -9 of an app process and of the flusher', () => {
  let cluster: AppCluster;
  let redis: Redis;
  let rows: Row[];
  const flushers: AppProcess[] = [];
  const stream = `tc:${LABEL}:write-behind:watch-progress`;

  // Accepting instances run no flusher; the flushers are started (and killed) by the tests.
  beforeAll(async () => {
    cluster = await startAppCluster({
      label: LABEL,
      instances: 2,
      env: { WRITE_BEHIND: 'true', WRITE_BEHIND_FLUSHER: 'false', WRITE_BEHIND_CLAIM_IDLE: '1s', WRITE_BEHIND_LAG_MAX: '1s' },
    });
    redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1 });
    const { rows: pairs } = await cluster.pool.query<{ sub: string; student_id: number; session_id: number }>(
      `SELECT DISTINCT ON (st.id) st.user_sub AS sub, st.id AS student_id, s.id AS session_id
       FROM students st JOIN products p ON p.client_id = st.client_id JOIN expert_sessions s ON s.product_id = p.id
       ORDER BY st.id, s.id LIMIT ${ROWS}`,
    );
    expect(pairs).toHaveLength(ROWS);
    rows = await Promise.all(
      pairs.map(async (p) => ({ sub: p.sub, studentId: p.student_id, sessionId: p.session_id, token: await signToken(TEST_JWT_SECRET, { sub: p.sub, role: 'user' }, '2h') })),
    );
    await cluster.pool.query('DELETE FROM expert_session_progress WHERE (student_id, expert_session_id) IN (SELECT * FROM unnest($1::int[], $2::int[]))', [
      rows.map((r) => r.studentId),
      rows.map((r) => r.sessionId),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(flushers.map((f) => f.stop()));
    redis?.disconnect();
    await cluster?.stop();
  }, 60_000);

  function startFlusher(name: string, env: Record<string, string> = {}): Promise<AppProcess> {
    return AppProcess.start({
      label: `${LABEL}-${name}`,
      env: {
        DATABASE_URL: cluster.database.url,
        REDIS_URL: cluster.redis.url,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        CACHE_NAMESPACE: LABEL,
        DB_MIGRATIONS_RUN: 'false',
        ...TEST_ADAPTER_ENV,
        WRITE_BEHIND: 'true',
        WRITE_BEHIND_CLAIM_IDLE: '1s',
        WRITE_BEHIND_FLUSH_INTERVAL: '50ms',
        ...env,
      },
    }).then((app) => {
      flushers.push(app);
      return app;
    });
  }

  function post(url: string, row: Row, watchTimeSeconds: number, progressPercentage: number) {
    return httpRequest(url, {
      method: 'POST',
      path: `/expert-sessions/${row.sessionId}/progress`,
      token: row.token,
      body: { watchTimeSeconds, progressPercentage },
      timeoutMs: 5_000,
    });
  }

  async function stored(): Promise<Map<string, Stored>> {
    const { rows: found } = await cluster.pool.query<Stored>(
      'SELECT * FROM expert_session_progress WHERE (student_id, expert_session_id) IN (SELECT * FROM unnest($1::int[], $2::int[]))',
      [rows.map((r) => r.studentId), rows.map((r) => r.sessionId)],
    );
    return new Map(found.map((s) => [`${s.student_id}:${s.expert_session_id}`, s]));
  }

  const key = (row: Row) => `${row.studentId}:${row.sessionId}`;

  it('answers from the queue on every instance before the flush: a second instance merges with the first one\'s report', async () => {
    const [a, b] = cluster.instances;
    const row = rows[0]!;
    const queuedBefore = await redis.xlen(stream);
    const first = await post(a!.process.url, row, 100, 20);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ expertSessionId: row.sessionId, studentId: row.studentId, watchTimeSeconds: 100, progressPercentage: 20, isCompleted: false, completedAt: null });
    const second = await post(b!.process.url, row, 50, 10);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ watchTimeSeconds: 100, progressPercentage: 20 });
    expect((await stored()).has(key(row))).toBe(false);
    expect(await redis.xlen(stream)).toBe(queuedBefore + 2);
  });

  it('reports backlog and lag in /health (degraded past the bound), /metrics and the admin stats', async () => {
    const [a] = cluster.instances;
    // Nothing flushes yet: the two writes above age past the 1 s bound.
    const { value: health } = await waitFor(
      () => httpRequest(a!.process.url, { path: '/health' }),
      (reply) => (reply.body as { details?: { write_behind?: { status: string } } }).details?.write_behind?.status === 'degraded',
      15_000,
      100,
    );
    expect(health.status).toBe(200);
    expect((health.body as { details: Record<string, unknown> }).details.write_behind).toMatchObject({ state: 'lagging', queue: stream, backlog: 2, lagMaxSeconds: 1 });
    const metrics = await httpRequest(a!.process.url, { path: '/metrics' });
    expect(String(metrics.body)).toContain(`tiered_cache_write_behind_backlog{queue="${stream}"} 2`);
    expect(String(metrics.body)).toMatch(new RegExp(`tiered_cache_write_behind_lag_seconds\\{queue="${stream}"\\} [1-9]`));
    const stats = await a!.admin({ path: '/admin/cache/stats' });
    expect((stats.body as { writeBehind: unknown }).writeBehind).toMatchObject({ queue: stream, backlog: 2, lagMaxSeconds: 1 });
  });

  it('flusher killed between apply and XACK: the next flusher replays the batch and the replay changes nothing', async () => {
    const [a] = cluster.instances;
    const queuedBefore = await redis.xlen(stream);
    // Each report raises the row's maxima, so the last one of a row is what PostgreSQL must hold.
    const last = new Map<string, { watch: number; progress: number }>();
    for (let round = 1; round <= 5; round++) {
      for (const row of rows) {
        const watch = 200 + round * 10;
        const progress = 20 + round * 15; // 95 at round 5: completed
        expect((await post(a!.process.url, row, watch, progress)).status).toBe(200);
        last.set(key(row), { watch, progress });
      }
    }
    const queued = await redis.xlen(stream);
    expect(queued).toBe(queuedBefore + 5 * ROWS);

    const paused = await startFlusher('paused', { WRITE_BEHIND_ACK_DELAY: '1h' });
    // Applied in PostgreSQL, not acknowledged in Redis: the window the kill lands in.
    const { value: applied } = await waitFor(stored, (found) => rows.every((r) => found.get(key(r))?.watch_time_seconds === last.get(key(r))!.watch), 30_000, 50);
    expect(await redis.xlen(stream)).toBe(queued);
    process.kill(paused.pid, 'SIGKILL');

    await startFlusher('heir');
    await waitFor(() => redis.xlen(stream), (length) => length === 0, 60_000, 100);
    const after = await stored();
    for (const row of rows) {
      expect(after.get(key(row))).toEqual(applied.get(key(row)));
      expect(after.get(key(row))).toMatchObject({ watch_time_seconds: last.get(key(row))!.watch, progress_percentage: 95, is_completed: true });
    }
  }, 120_000);

  it('accepting instance killed mid-flood: every acknowledged report is in PostgreSQL, nothing that was not sent', async () => {
    const [, b] = cluster.instances;
    if (!flushers.some((f) => f.alive)) await startFlusher('flood');
    const acknowledged = new Map<string, number>();
    const sent = new Map<string, Set<number>>(rows.map((r) => [key(r), new Set<number>()]));
    let stop = false;
    let counter = 1_000;
    const worker = async (row: Row) => {
      while (!stop) {
        const watch = ++counter; // strictly increasing per row: the stored value names the report
        sent.get(key(row))!.add(watch);
        const reply = await post(b!.process.url, row, watch, 50).catch(() => undefined);
        if (reply?.status === 200) acknowledged.set(key(row), Math.max(acknowledged.get(key(row)) ?? 0, watch));
        else if (reply !== undefined && reply.status !== 200) throw new Error(`unexpected ${reply.status} ${JSON.stringify(reply.body)}`);
      }
    };
    const flood = Promise.all(rows.map(worker));
    await waitFor(() => [...acknowledged.values()].length, (n) => n === ROWS, 30_000, 20);
    const before = counter;
    await waitFor(() => counter, (c) => c > before + 600, 30_000, 20);
    process.kill(b!.process.pid, 'SIGKILL');
    await waitFor(() => b!.process.alive, (alive) => !alive, 10_000, 20);
    stop = true;
    await flood;

    await waitFor(() => redis.xlen(stream), (length) => length === 0, 60_000, 100);
    const after = await stored();
    for (const row of rows) {
      const stored = after.get(key(row))!.watch_time_seconds;
      expect(stored).toBeGreaterThanOrEqual(acknowledged.get(key(row))!);
      expect(sent.get(key(row))!.has(stored)).toBe(true);
    }
    const flusher = flushers.find((f) => f.alive)!;
    const metrics = String((await httpRequest(flusher.url, { path: '/metrics' })).body);
    const flushed = Number(new RegExp(`tiered_cache_write_behind_flushed_total\\{queue="${stream}"\\} (\\d+)`).exec(metrics)?.[1]);
    expect(flushed).toBeGreaterThan(0);
    expect(metrics).toContain(`tiered_cache_write_behind_flush_errors_total{queue="${stream}"} 0`);
  }, 120_000);

  it('refuses reports with 503 while its Redis is down, and records none of them later', async () => {
    const [a] = cluster.instances;
    const row = rows[1]!;
    if (!flushers.some((f) => f.alive)) await startFlusher('outage');
    const before = (await stored()).get(key(row))?.watch_time_seconds ?? 0;
    await cluster.redis.stop();
    try {
      const reply = await post(a!.process.url, row, before + 1_000, 60);
      expect(reply.status).toBe(503);
      expect(JSON.stringify(reply.body)).toContain('Watch progress cannot be recorded now: its queue (Redis) is unavailable');
      const health = await httpRequest(a!.process.url, { path: '/health' });
      expect((health.body as { details: Record<string, unknown> }).details.write_behind).toMatchObject({ status: 'degraded', state: 'down' });
    } finally {
      await cluster.redis.start();
    }
    // The server came back empty (no persistence in this test): nothing was queued behind the 503.
    await waitFor(async () => (await post(a!.process.url, row, before + 1, 60)).status, (status) => status === 200, 30_000, 200);
    await waitFor(() => redis.xlen(stream).catch(() => -1), (length) => length === 0, 60_000, 100);
    expect((await stored()).get(key(row))!.watch_time_seconds).toBe(before + 1);
  }, 120_000);
});
