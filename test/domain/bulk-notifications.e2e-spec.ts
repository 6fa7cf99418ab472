import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { SeedScale } from '../../src/domain/seed/index.js';
import { createTestDatabase, migrateAndSeed, type TestDatabase } from '../support/app/test-database.js';
import { NotificationRecorder } from './support/notification-recorder.js';

/** About 106k module-progress rows, 30k session-progress rows and 100k messages in 5,000 chats. */
const BULK_SCALE: SeedScale = {
  clients: 2,
  productsPerClient: 2,
  modulesPerProduct: 10,
  studentsPerClient: 5_000,
  sessionsPerProduct: 4,
  chatUsers: 1_000,
  chatsPerUser: 5,
  messagesPerChat: 20,
};

const PAYLOAD_LIMIT = 8_000;

/**
 * The triggers are statement-level: a statement touching 100k rows stamps and notifies its distinct
 * tags once, in a handful of payloads under PostgreSQL's 8000-byte limit, not 100k notifications.
 * Counted exactly with a LISTEN client (see NotificationRecorder.drain).
 */
describe('bulk statements send a handful of notifications', () => {
  let database: TestDatabase;
  let writer: pg.Client;
  let recorder: NotificationRecorder;
  const counts: Record<string, { rows: number; notifications: number }> = {};

  beforeAll(async () => {
    database = await createTestDatabase('bulk_notify');
    await migrateAndSeed(database.url, BULK_SCALE);
    writer = new pg.Client({ connectionString: database.url });
    await writer.connect();
    recorder = await NotificationRecorder.listen(database.url, ['cache_invalidation', 'chat_events']);
  }, 120_000);

  afterAll(async () => {
    // The measured numbers, for docs/reference-app.md.
    console.log(`bulk notification counts: ${JSON.stringify(counts)}`);
    await recorder?.close();
    await writer?.end();
    await database?.drop();
  });

  /** Runs `sql`, then returns the tag payloads it caused, checking each against the size limit. */
  async function run(name: string, sql: string): Promise<{ rows: number; payloads: Array<{ tags: string[] }> }> {
    await recorder.drain(writer);
    recorder.clear();
    const { rowCount } = await writer.query(sql);
    await recorder.drain(writer);
    const raw = recorder.payloads.get('cache_invalidation')!;
    for (const payload of raw) expect(Buffer.byteLength(payload)).toBeLessThan(PAYLOAD_LIMIT);
    counts[name] = { rows: rowCount ?? 0, notifications: raw.length };
    return { rows: rowCount ?? 0, payloads: recorder.json<{ tags: string[] }>('cache_invalidation') };
  }

  it('UPDATE of every module-progress row (100k+): one notification with the two client tags', async () => {
    const { rows, payloads } = await run('student_module_progress UPDATE', `UPDATE student_module_progress SET updated_at = now()`);
    expect(rows).toBeGreaterThanOrEqual(100_000);
    expect(payloads).toHaveLength(1);
    expect(payloads[0].tags.sort()).toEqual(['client:1', 'client:2']);
  });

  it('UPDATE of 100k messages in 5,000 chats: all 5,000 chat tags, in a handful of payloads', async () => {
    const { rows, payloads } = await run('chat_messages UPDATE', `UPDATE chat_messages SET content = content || '.'`);
    expect(rows).toBeGreaterThanOrEqual(90_000);
    const tags = payloads.flatMap((p) => p.tags);
    expect(new Set(tags).size).toBe(5_000);
    expect(tags).toHaveLength(5_000);
    expect(payloads.length).toBeLessThanOrEqual(12);
  });

  it('INSERT of 20k messages: a handful of cache and chat-event notifications', async () => {
    await recorder.drain(writer);
    recorder.clear();
    const { rowCount } = await writer.query(
      `INSERT INTO chat_messages (chat_id, role, content) SELECT c.id, 'user', 'bulk ' || g FROM chat_sessions c, generate_series(1, 4) g`,
    );
    await recorder.drain(writer);
    const cache = recorder.payloads.get('cache_invalidation')!;
    const events = recorder.json<{ messages: Array<[number, string, number, number]> }>('chat_events');
    for (const payload of [...cache, ...recorder.payloads.get('chat_events')!]) expect(Buffer.byteLength(payload)).toBeLessThan(PAYLOAD_LIMIT);
    counts['chat_messages INSERT (cache)'] = { rows: rowCount ?? 0, notifications: cache.length };
    counts['chat_messages INSERT (chat_events)'] = { rows: rowCount ?? 0, notifications: events.length };
    expect(rowCount).toBe(20_000);
    expect(events.flatMap((e) => e.messages)).toHaveLength(5_000);
    expect(events.length).toBeLessThanOrEqual(30);
    // Message tags, plus the chat_sessions counters' UPDATE (chat and owner tags).
    expect(cache.length).toBeLessThanOrEqual(30);
  });

  it('DELETE of 5,000 students cascades to 60k+ progress rows with one notification per table', async () => {
    const { rows, payloads } = await run('students DELETE (cascade)', `DELETE FROM students WHERE client_id = 1`);
    expect(rows).toBe(5_000);
    expect(payloads.length).toBeLessThanOrEqual(2);
    expect(payloads.flatMap((p) => p.tags)).toEqual(expect.arrayContaining(['client:1', 'product:1', 'product:2']));
  });

  it('cache_publish_tags chunks a large tag set under the payload limit and loses none', async () => {
    const { rows: [{ sent }] } = await writer.query<{ sent: number }>(
      `SELECT cache_publish_tags(array_agg('bulk:' || repeat('x', 180) || g)) AS sent FROM generate_series(1, 2000) g`,
    );
    await recorder.drain(writer);
    const payloads = recorder.json<{ tags: string[] }>('cache_invalidation').slice(-sent);
    expect(sent).toBeGreaterThan(40);
    expect(new Set(payloads.flatMap((p) => p.tags)).size).toBe(2_000);
    const { rows: [{ stamped }] } = await writer.query(`SELECT count(*)::int AS stamped FROM cache_tag_clock WHERE tag LIKE 'bulk:%'`);
    expect(stamped).toBe(2_000);
  });
});
