import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { signToken } from '../../src/auth/index.js';
import { DbInvalidationService } from '../../src/cache/index.js';
import { SEED_SCALES, seedDatabase } from '../../src/domain/seed/index.js';
import { bootApp, TEST_JWT_SECRET } from '../support/app/boot-app.js';
import { QueryCounter } from './support/query-counter.js';
import { openEventStream } from './support/event-stream.js';
import { waitFor } from '../support/eventually.js';

/**
 * Embedded PGlite (no DATABASE_URL, no Redis): one PostgreSQL session inside the process. A second
 * node-postgres connection to it never sees notifications, so the app LISTENs through PGlite's own
 * `listen()`. This proves the trigger path works there too: a write made with plain SQL (on the
 * app's data source; no other process can open the database) reaches the L1 entry and the SSE stream.
 */
describe('trigger invalidation on embedded PGlite', () => {
  let dir: string;
  let app: INestApplication;
  let db: DataSource;
  let queries: QueryCounter;
  let auth: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tiered-cache-domain-pglite-'));
    app = await bootApp({ PGLITE_DIR: dir });
    db = app.get(DataSource);
    const runner = db.createQueryRunner();
    await seedDatabase(runner, SEED_SCALES.small).finally(() => runner.release());
    queries = QueryCounter.install(db);
    auth = `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'student-1', role: 'user' })}`;
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on the embedded database', () => {
    expect(app.get(DbInvalidationService).connected).toBe(true);
  });

  it('an UPDATE made with SQL is visible in the next read within 1 s', async () => {
    const get = () => request(app.getHttpServer()).get('/expert-sessions/1').set('Authorization', auth).expect(200);
    await get();
    const hit = await queries.during(get);
    expect(hit.statements).toEqual([]);
    await db.query(`UPDATE expert_sessions SET title = 'Renamed inside PGlite' WHERE id = 1`);
    const { ms } = await waitFor(async () => (await get()).body.title as string, (title) => title === 'Renamed inside PGlite', 1_000);
    expect(ms).toBeLessThan(1_000);
  });

  it('pushes a message inserted with SQL to an SSE stream', async () => {
    const server = app.getHttpServer() as http.Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const stream = await openEventStream(`http://127.0.0.1:${port}/chats/1/events`, { authorization: auth });
    try {
      await stream.next((e) => e.type === 'ready');
      await db.query(`INSERT INTO chat_messages (chat_id, role, content) VALUES (1, 'assistant', 'hello from PGlite')`);
      await stream.next((e) => e.type === 'message' && (e.data as { content: string }).content === 'hello from PGlite');
    } finally {
      stream.close();
    }
  });
});
