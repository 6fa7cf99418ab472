import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TieredCache } from '@tiered-cache/nestjs';
import pg from 'pg';
import { chatTag, clientTag, EXPERT_SESSIONS_TAG, expertSessionTag, PRODUCT_PERFORMANCE_TAG, productTag, userChatsTag } from '../../src/domain/index.js';
import { waitFor } from '../support/eventually.js';
import { settleInvalidations } from '../support/app/settle-invalidations.js';
import { createDomainFixture, type AuthedAgent, type DomainFixture } from './support/domain-app.js';

/**
 * Writes made with plain SQL on a connection of their own (as from psql: no app call) reach the
 * cache through the triggers and the LISTEN connection, well within a second.
 */
describe('trigger-driven invalidation', () => {
  let fx: DomainFixture;
  let psql: pg.Client;
  let admin: AuthedAgent;
  let student: AuthedAgent;

  beforeAll(async () => {
    fx = await createDomainFixture('triggers');
    psql = new pg.Client({ connectionString: fx.database.url });
    await psql.connect();
    admin = await fx.primary.as('alice', 'admin');
    student = await fx.primary.as('student-1');
  }, 60_000);

  afterAll(async () => {
    await psql?.end();
    await fx?.close();
  });

  /** Reads `path` twice, checking the second read is a cache hit, and returns the body. */
  async function cached(agent: AuthedAgent, path: string): Promise<unknown> {
    await settleInvalidations(fx.primary.app);
    await agent.get(path).expect(200);
    // See cached-reads: the remote copies land in the background.
    await fx.primary.app.get(TieredCache).settled();
    const hit = await fx.primary.queries.during(() => agent.get(path).expect(200));
    expect(hit.statements).toEqual([]);
    return hit.result.body;
  }

  /** Polls `path` until `check` holds; at most 1 s after the SQL committed. */
  async function visibleWithinOneSecond(agent: AuthedAgent, path: string, check: (body: never) => boolean): Promise<number> {
    const { ms } = await waitFor(async () => (await agent.get(path).expect(200)).body as never, check, 1_000);
    return ms;
  }

  it('an UPDATE of an expert session shows in the cached item and list', async () => {
    await cached(student, '/expert-sessions/4');
    await cached(student, '/expert-sessions?productId=1');
    await psql.query(`UPDATE expert_sessions SET title = 'Renamed in psql' WHERE id = 4`);
    const ms = await visibleWithinOneSecond(student, '/expert-sessions/4', (s: { title: string }) => s.title === 'Renamed in psql');
    expect(ms).toBeLessThan(1_000);
    const list = (await student.get('/expert-sessions?productId=1').expect(200)).body as Array<{ id: number; title: string }>;
    expect(list.find((s) => s.id === 4)?.title).toBe('Renamed in psql');
  });

  it('an UPDATE of viewing progress shows in the cached statistics', async () => {
    const before = (await cached(student, '/expert-sessions/1')) as { completions: number; viewers: number };
    expect(before.completions).toBeLessThan(before.viewers);
    await psql.query(
      `UPDATE expert_session_progress SET progress_percentage = 100, is_completed = true, completed_at = coalesce(completed_at, now())
       WHERE expert_session_id = 1`,
    );
    await visibleWithinOneSecond(student, '/expert-sessions/1', (s: { completions: number }) => s.completions === before.viewers);
  });

  it('an UPDATE of module progress shows in the cached product performance', async () => {
    type Perf = Array<{ productId: number; averageScore: number }>;
    const before = (await cached(admin, '/analytics/product-performance?clientId=2')) as Perf;
    expect(before.find((p) => p.productId === 3)?.averageScore).not.toBe(100);
    await psql.query(
      `UPDATE student_module_progress SET score = 100 WHERE status = 'completed' AND module_id IN (SELECT id FROM modules WHERE product_id = 3)`,
    );
    await visibleWithinOneSecond(admin, '/analytics/product-performance?clientId=2', (rows: Perf) => rows.find((p) => p.productId === 3)?.averageScore === 100);
  });

  it('an UPDATE of a chat and an INSERT of a message show in the cached chat reads', async () => {
    type Detail = { title: string; messageCount: number };
    const before = (await cached(student, '/chats/2')) as Detail;
    await cached(student, '/chats/2/messages?limit=3');
    await cached(student, '/chats');
    await psql.query(`UPDATE chat_sessions SET title = 'Retitled in psql' WHERE id = 2`);
    await psql.query(`INSERT INTO chat_messages (chat_id, role, content) VALUES (2, 'assistant', 'Written by psql')`);
    await visibleWithinOneSecond(student, '/chats/2', (c: Detail) => c.title === 'Retitled in psql' && c.messageCount === before.messageCount + 1);
    await visibleWithinOneSecond(student, '/chats/2/messages?limit=3', (p: { items: Array<{ content: string }> }) => p.items[0]?.content === 'Written by psql');
    await visibleWithinOneSecond(student, '/chats', (chats: Array<{ id: number; title: string }>) => chats.find((c) => c.id === 2)?.title === 'Retitled in psql');
  });

  it('a rolled-back UPDATE invalidates nothing', async () => {
    await cached(student, '/expert-sessions/6');
    await psql.query('BEGIN');
    await psql.query(`UPDATE expert_sessions SET title = 'Never committed' WHERE id = 6`);
    await psql.query('ROLLBACK');
    await settleInvalidations(fx.primary.app);
    const again = await fx.primary.queries.during(() => student.get('/expert-sessions/6').expect(200));
    expect(again.statements).toEqual([]);
    expect(again.result.body.title).not.toBe('Never committed');
  });

  it('the triggers emit exactly the tags the app puts on its entries', async () => {
    const listener = new pg.Client({ connectionString: fx.database.url });
    await listener.connect();
    const tags: string[] = [];
    listener.on('notification', (message) => tags.push(...(JSON.parse(message.payload!) as { tags: string[] }).tags));
    await listener.query('LISTEN cache_invalidation');
    const emitted = async (sql: string): Promise<string[]> => {
      tags.length = 0;
      await psql.query(sql);
      await waitFor(async () => tags.length, (n) => n > 0, 2_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [...new Set(tags)].sort();
    };
    try {
      expect(await emitted(`UPDATE expert_sessions SET is_active = is_active WHERE id = 5`)).toEqual(
        [EXPERT_SESSIONS_TAG, expertSessionTag(5), productTag(2)].sort(),
      );
      expect(await emitted(`UPDATE expert_session_progress SET watch_time_seconds = watch_time_seconds WHERE expert_session_id = 5`)).toEqual(
        [expertSessionTag(5), productTag(2)].sort(),
      );
      expect(await emitted(`UPDATE student_module_progress SET updated_at = now() WHERE module_id = 11`)).toEqual([clientTag(2)]);
      expect(await emitted(`UPDATE modules SET name = name WHERE id = 11`)).toEqual([clientTag(2)]);
      expect(await emitted(`UPDATE products SET name = name WHERE id = 3`)).toEqual([clientTag(2), PRODUCT_PERFORMANCE_TAG, productTag(3)].sort());
      expect(await emitted(`UPDATE clients SET name = name WHERE id = 3`)).toEqual([clientTag(3)]);
      expect(await emitted(`UPDATE chat_sessions SET title = title WHERE id = 4`)).toEqual([chatTag(4), userChatsTag('student-2')].sort());
      expect(await emitted(`UPDATE chat_messages SET content = content WHERE chat_id = 4`)).toEqual([chatTag(4)]);
    } finally {
      await listener.end();
    }
  });
});
