import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TieredCache } from '@tiered-cache/nestjs';
import { DataSource } from 'typeorm';
import { createDomainFixture, type AuthedAgent, type DomainFixture } from './support/domain-app.js';

/**
 * Every cached endpoint, against the small seed: a repeated read runs no SQL (counted on TypeORM's
 * logger, not timed), and a write through the API is visible in the very next read on the same
 * instance (`@InvalidateTags` resolves before the response).
 */
describe('cached endpoints', () => {
  let fx: DomainFixture;
  let admin: AuthedAgent;
  let student: AuthedAgent;
  let db: DataSource;

  beforeAll(async () => {
    fx = await createDomainFixture('cached_reads');
    admin = await fx.primary.as('alice', 'admin');
    student = await fx.primary.as('student-1');
    db = fx.primary.app.get(DataSource);
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
  });

  describe('a second read runs no SQL', () => {
    const endpoints: Array<[string, 'admin' | 'student', string]> = [
      ['expert sessions', 'student', '/expert-sessions'],
      ['expert sessions of a product', 'student', '/expert-sessions?productId=1'],
      ['one expert session', 'student', '/expert-sessions/2'],
      ['product performance', 'admin', '/analytics/product-performance'],
      ['product performance of a client', 'admin', '/analytics/product-performance?clientId=2'],
      ['recent chats', 'student', '/chats'],
      ['one chat', 'student', '/chats/1'],
      ['latest messages', 'student', '/chats/1/messages?limit=5'],
      ['older messages', 'student', '/chats/1/messages?before=6&limit=3'],
    ];

    it.each(endpoints)('%s (%s, GET %s)', async (_name, who, path) => {
      const agent = who === 'admin' ? admin : student;
      const first = await fx.primary.queries.during(() => agent.get(path).expect(200));
      expect(first.statements.length).toBeGreaterThan(0);
      // The L2/L3 copies are written in the background: wait for them, so that a second read finds
      // the value even if something empties this instance's L1 meanwhile (a listener reconnect on
      // a loaded machine resets it).
      await fx.primary.app.get(TieredCache).settled();
      const second = await fx.primary.queries.during(() => agent.get(path).expect(200));
      expect(second.statements).toEqual([]);
      expect(second.result.body).toEqual(first.result.body);
    });

    it('pages by keyset: the next page starts below nextBefore and has no overlap', async () => {
      const first = await student.get('/chats/1/messages?limit=4').expect(200);
      const next = await student.get(`/chats/1/messages?limit=4&before=${first.body.nextBefore}`).expect(200);
      const ids = [...first.body.items, ...next.body.items].map((m: { id: number }) => m.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(ids.length);
      expect(Math.max(...next.body.items.map((m: { id: number }) => m.id))).toBeLessThan(first.body.nextBefore + 1);
    });
  });

  describe('a write through the API is visible in the next read', () => {
    /** A fresh student of client 1 (no progress yet), so each write changes the figures by one. */
    async function newStudent(sub: string): Promise<number> {
      const [row] = await db.query(
        `INSERT INTO students (client_id, user_sub, full_name, email) VALUES (1, $1, 'New Learner', $1 || '@example.edu') RETURNING id`,
        [sub],
      );
      return row.id as number;
    }

    it('POST /expert-sessions appears in the cached list of its product', async () => {
      const before = await student.get('/expert-sessions?productId=1').expect(200);
      const created = await admin
        .post('/expert-sessions')
        .send({ productId: 1, title: 'Freshly added', videoUrl: 'https://videos.example.com/new.mp4', videoDurationSeconds: 600 })
        .expect(201);
      const after = await student.get('/expert-sessions?productId=1').expect(200);
      expect(after.body).toHaveLength(before.body.length + 1);
      expect(after.body.map((s: { id: number }) => s.id)).toContain(created.body.id);
      const all = await student.get('/expert-sessions').expect(200);
      expect(all.body.map((s: { id: number }) => s.id)).toContain(created.body.id);
    });

    it('PATCH /expert-sessions/:id shows in the cached item and list', async () => {
      await student.get('/expert-sessions/2').expect(200);
      await admin.patch('/expert-sessions/2').send({ title: 'Renamed through the API' }).expect(200);
      expect((await student.get('/expert-sessions/2').expect(200)).body.title).toBe('Renamed through the API');
      const list = await student.get('/expert-sessions?productId=1').expect(200);
      expect(list.body.find((s: { id: number }) => s.id === 2).title).toBe('Renamed through the API');
    });

    it('POST /expert-sessions/:id/progress updates viewers and completions', async () => {
      await newStudent('watcher-1');
      const before = (await student.get('/expert-sessions/3').expect(200)).body;
      const watcher = await fx.primary.as('watcher-1');
      await watcher.post('/expert-sessions/3/progress').send({ watchTimeSeconds: 900, progressPercentage: 95 }).expect(200);
      const after = (await student.get('/expert-sessions/3').expect(200)).body;
      expect(after.viewers).toBe(before.viewers + 1);
      expect(after.completions).toBe(before.completions + 1);
    });

    it('POST /students/:id/module-progress updates the cached product performance', async () => {
      const id = await newStudent('learner-1');
      const perf = async () =>
        ((await admin.get('/analytics/product-performance?clientId=1').expect(200)).body as Array<{ productId: number; enrolledStudents: number }>).find(
          (p) => p.productId === 1,
        )!;
      const before = await perf();
      const learner = await fx.primary.as('learner-1');
      await learner.post(`/students/${id}/module-progress`).send({ moduleId: 1, status: 'in_progress', progressPercentage: 30 }).expect(200);
      expect((await perf()).enrolledStudents).toBe(before.enrolledStudents + 1);
    });

    it('POST /chats, POST /chats/:id/messages and DELETE /chats/:id show in the cached chat reads', async () => {
      const listIds = async () => ((await student.get('/chats').expect(200)).body as Array<{ id: number }>).map((c) => c.id);
      await listIds();
      const chat = (await student.post('/chats').send({ title: 'A brand new chat' }).expect(201)).body;
      expect(await listIds()).toContain(chat.id);

      expect((await student.get(`/chats/${chat.id}`).expect(200)).body).toMatchObject({ messageCount: 0, lastMessage: null });
      expect((await student.get(`/chats/${chat.id}/messages`).expect(200)).body.items).toEqual([]);
      const message = (await student.post(`/chats/${chat.id}/messages`).send({ content: 'First question' }).expect(201)).body;
      expect((await student.get(`/chats/${chat.id}`).expect(200)).body).toMatchObject({
        messageCount: 1,
        lastMessage: { id: message.id, preview: 'First question' },
      });
      expect((await student.get(`/chats/${chat.id}/messages`).expect(200)).body.items.map((m: { id: number }) => m.id)).toEqual([message.id]);
      expect((await listIds())[0]).toBe(chat.id);

      await student.delete(`/chats/${chat.id}`).expect(204);
      await student.get(`/chats/${chat.id}`).expect(404);
      await student.get(`/chats/${chat.id}/messages`).expect(404);
      expect(await listIds()).not.toContain(chat.id);
    });
  });
});
