import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { signToken } from '../../src/auth/index.js';
import { MAX_MESSAGE_LENGTH } from '../../src/chats/chat-message.entity.js';
import { TEST_JWT_SECRET } from '../support/app/boot-app.js';
import { sleep } from '../support/cache-fixture.js';
import { eventually } from '../support/eventually.js';
import { createDomainFixture, type AppInstance, type AuthedAgent, type DomainFixture } from './support/domain-app.js';
import { openEventStream, type EventStream } from './support/event-stream.js';

/**
 * A chat body `depth` levels deep: `{"title":"deep","extra":{"a":{"a":...1}}}`. Sent as text, since
 * supertest's serializer gives up on deep objects.
 */
function deepChatBody(depth: number, open = '{"a":', close = '}'): string {
  return `{"title":"deep","extra":${open.repeat(depth - 1)}1${close.repeat(depth - 1)}}`;
}
const asJson = (test: request.Test, body: string) => test.set('Content-Type', 'application/json').send(body);

/** Who may call what, and what bad input gets: 401, 403, 404 for other users' chats, 400 naming the field. */
describe('API access and validation', () => {
  let fx: DomainFixture;
  let db: DataSource;
  let admin: AuthedAgent;
  let alice: AuthedAgent; // student-1
  let bob: AuthedAgent; // student-2

  /** Row counts of the tables a bad request could write to. */
  const counts = async () =>
    (await db.query(
      `SELECT (SELECT count(*) FROM chat_sessions)::int AS chats, (SELECT count(*) FROM chat_messages)::int AS messages,
              (SELECT count(*) FROM expert_sessions)::int AS sessions, (SELECT count(*) FROM student_module_progress)::int AS progress,
              (SELECT md5(string_agg(title, ',' ORDER BY id)) FROM expert_sessions) AS titles,
              (SELECT md5(string_agg(status || coalesce(score::text, ''), ',' ORDER BY student_id, module_id)) FROM student_module_progress) AS progress_state`,
    ))[0] as Record<string, unknown>;

  beforeAll(async () => {
    fx = await createDomainFixture('api_access');
    db = fx.primary.app.get(DataSource);
    admin = await fx.primary.as('alice-admin', 'admin');
    alice = await fx.primary.as('student-1');
    bob = await fx.primary.as('student-2');
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
  });

  describe('user isolation', () => {
    const ownerOf = async (chatId: number): Promise<string> => (await db.query('SELECT user_id FROM chat_sessions WHERE id = $1', [chatId]))[0].user_id;

    it('GET /chats lists only the caller\'s chats, for each of two users', async () => {
      for (const [agent, sub] of [[alice, 'student-1'], [bob, 'student-2'], [alice, 'student-1']] as const) {
        const chats = (await agent.get('/chats').expect(200)).body as Array<{ id: number }>;
        expect(chats.length).toBeGreaterThan(0);
        for (const chat of chats) expect(await ownerOf(chat.id)).toBe(sub);
      }
    });

    it("another user's chat is a 404 on every chat route, even while its owner has it cached", async () => {
      await alice.get('/chats/1').expect(200);
      await alice.get('/chats/1/messages').expect(200);
      await alice.get('/chats/1').expect(200); // now served from the cache
      const before = await counts();
      const reads = await fx.primary.queries.during(async () => {
        await bob.get('/chats/1').expect(404);
        await bob.get('/chats/1/messages').expect(404);
      });
      // Bob's reads went to the database (his own keys missed): nothing of Alice's came from the cache.
      expect(reads.statements.length).toBe(2);
      await bob.get('/chats/1').expect(404); // and a 404 is not cached either
      await bob.post('/chats/1/messages').send({ content: 'hijack' }).expect(404);
      await bob.delete('/chats/1').expect(404);
      expect(await counts()).toEqual(before);
      expect((await alice.get('/chats/1').expect(200)).body.id).toBe(1);
    });

    it('the same path returns each user their own data', async () => {
      const aliceChats = (await alice.get('/chats').expect(200)).body as Array<{ id: number }>;
      const bobChats = (await bob.get('/chats').expect(200)).body as Array<{ id: number }>;
      const overlap = aliceChats.map((c) => c.id).filter((id) => bobChats.some((c) => c.id === id));
      expect(overlap).toEqual([]);
      const bobFirst = bobChats[0].id;
      expect((await bob.get(`/chats/${bobFirst}/messages`).expect(200)).body.items.length).toBeGreaterThan(0);
      await alice.get(`/chats/${bobFirst}/messages`).expect(404);
    });

    it("a student may not record another student's module progress; an admin may", async () => {
      const before = await counts();
      await bob.post('/students/1/module-progress').send({ moduleId: 1, status: 'in_progress', progressPercentage: 10 }).expect(403);
      await bob.post('/students/999999/module-progress').send({ moduleId: 1, status: 'in_progress', progressPercentage: 10 }).expect(403);
      expect(await counts()).toEqual(before);
      await admin.post('/students/999999/module-progress').send({ moduleId: 1, status: 'in_progress', progressPercentage: 10 }).expect(404);
      await admin.post('/students/1/module-progress').send({ moduleId: 2, status: 'in_progress', progressPercentage: 10 }).expect(200);
    });
  });

  it('documents every domain route in the OpenAPI document', async () => {
    const { body } = await request(fx.primary.app.getHttpServer()).get('/docs-json').expect(200);
    const routes = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /expert-sessions',
        'POST /expert-sessions',
        'GET /expert-sessions/{id}',
        'PATCH /expert-sessions/{id}',
        'POST /expert-sessions/{id}/progress',
        'GET /analytics/product-performance',
        'POST /students/{id}/module-progress',
        'GET /chats',
        'POST /chats',
        'GET /chats/{id}',
        'DELETE /chats/{id}',
        'GET /chats/{id}/messages',
        'POST /chats/{id}/messages',
        'GET /chats/{id}/events',
      ]),
    );
    expect(Object.keys(body.paths['/chats/{id}/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    expect(body.components.schemas.PostMessageDto.properties.content.maxLength).toBe(MAX_MESSAGE_LENGTH);
  });

  describe('401 and 403', () => {
    it('answers 401 without a token or with a bad one, on every area', async () => {
      const server = fx.primary.app.getHttpServer();
      for (const path of ['/expert-sessions', '/analytics/product-performance', '/chats', '/chats/1/messages']) {
        await request(server).get(path).expect(401);
        await request(server).get(path).set('Authorization', 'Bearer not.a.token').expect(401);
      }
      await request(server).post('/chats').send({ title: 'x' }).expect(401);
    });

    it('answers 403 to a user token on admin routes, and writes nothing', async () => {
      const before = await counts();
      await alice.get('/analytics/product-performance').expect(403);
      await alice.post('/expert-sessions').send({ productId: 1, title: 'x', videoUrl: 'https://v.example.com/x.mp4', videoDurationSeconds: 60 }).expect(403);
      await alice.patch('/expert-sessions/1').send({ title: 'taken over' }).expect(403);
      expect(await counts()).toEqual(before);
    });

    it('answers 403 when the caller has no student profile', async () => {
      const stranger = await fx.primary.as('not-a-student');
      await stranger.post('/expert-sessions/1/progress').send({ watchTimeSeconds: 10, progressPercentage: 5 }).expect(403);
    });
  });

  describe('400 names the field, and nothing is written', () => {
    const cases: Array<[string, (a: AuthedAgent, admin: AuthedAgent) => request.Test, RegExp]> = [
      ['non-numeric chat id', (a) => a.get('/chats/abc'), /^id must be an integer number$/],
      ['non-numeric expert session id', (a) => a.get('/expert-sessions/1x'), /^id must be an integer number$/],
      ['limit too large', (a) => a.get('/chats/1/messages?limit=101'), /^limit must not be greater than 100$/],
      ['limit zero', (a) => a.get('/chats/1/messages?limit=0'), /^limit must not be less than 1$/],
      ['non-numeric before', (a) => a.get('/chats/1/messages?before=yesterday'), /^before must be an integer number$/],
      ['unknown query parameter', (a) => a.get('/chats/1/messages?offset=5'), /^property offset should not exist$/],
      ['non-numeric productId', (a) => a.get('/expert-sessions?productId=two'), /^productId must be an integer number$/],
      ['negative clientId', (_a, admin) => admin.get('/analytics/product-performance?clientId=-1'), /^clientId must not be less than 1$/],
      ['unknown body field on a chat', (a) => a.post('/chats').send({ title: 'ok', userId: 'student-2' }), /^property userId should not exist$/],
      ['missing chat title', (a) => a.post('/chats').send({}), /^title must be longer than or equal to 1 characters$/],
      [
        'oversized message',
        (a) => a.post('/chats/1/messages').send({ content: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) }),
        new RegExp(`^content must be shorter than or equal to ${MAX_MESSAGE_LENGTH} characters$`),
      ],
      ['empty message', (a) => a.post('/chats/1/messages').send({ content: '' }), /^content must be longer than or equal to 1 characters$/],
      ['system role', (a) => a.post('/chats/1/messages').send({ content: 'hi', role: 'system' }), /^role must be one of the following values: user, assistant$/],
      ['progress over 100', (a) => a.post('/expert-sessions/1/progress').send({ watchTimeSeconds: 1, progressPercentage: 101 }), /^progressPercentage must not be greater than 100$/],
      [
        'completed with 50%',
        (a) => a.post('/students/1/module-progress').send({ moduleId: 1, status: 'completed', progressPercentage: 50 }),
        /^progressPercentage must be 100 when status is completed$/,
      ],
      [
        'score without completion',
        (a) => a.post('/students/1/module-progress').send({ moduleId: 1, status: 'in_progress', progressPercentage: 50, score: 80 }),
        /^score must only be given when status is completed$/,
      ],
      ['unknown status', (a) => a.post('/students/1/module-progress').send({ moduleId: 1, status: 'done' }), /^status must be one of the following values/],
      [
        'bad video URL',
        (_a, admin) => admin.post('/expert-sessions').send({ productId: 1, title: 't', videoUrl: 'ftp://x', videoDurationSeconds: 5 }),
        /^videoUrl must be a URL address$/,
      ],
      [
        'missing product',
        (_a, admin) => admin.post('/expert-sessions').send({ productId: 9999, title: 't', videoUrl: 'https://v.example.com/a.mp4', videoDurationSeconds: 5 }),
        /^productId must reference an existing product$/,
      ],
      ['empty patch', (_a, admin) => admin.patch('/expert-sessions/1').send({}), /^body must set at least one field$/],
    ];

    it.each(cases)('%s', async (_name, send, expected) => {
      const before = await counts();
      const response = await send(alice, admin).expect(400);
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
      expect(await counts()).toEqual(before);
    });
  });

  describe('hostile bodies and headers get a 4xx, and nothing is written', () => {
    it('answers 400 to a body nested deeper than 32 levels, before validation sees it', async () => {
      const before = await counts();
      for (const body of [deepChatBody(20_000, '[', ']'), deepChatBody(33), deepChatBody(33, '[', ']')]) {
        const response = await asJson(alice.post('/chats'), body).expect(400);
        expect(response.body.message).toEqual(['body must not be nested deeper than 32 levels']);
      }
      expect(await counts()).toEqual(before);
      // 32 levels is allowed: the validation pipe answers, naming the unknown field.
      const allowed = await asJson(alice.post('/chats'), deepChatBody(32)).expect(400);
      expect(allowed.body.message).toEqual(['property extra should not exist']);
    });

    it('answers 413 to a body over the size limit (100 KiB)', async () => {
      const before = await counts();
      await alice.post('/chats/1/messages').send({ content: 'x'.repeat(110 * 1024) }).expect(413);
      expect(await counts()).toEqual(before);
    });

    it('answers 431 to request headers over 16 KiB (Node refuses them before the app)', async () => {
      await request(fx.primary.app.getHttpServer()).get('/health/live').set('X-Filler', 'x'.repeat(17 * 1024)).expect(431);
      await request(fx.primary.app.getHttpServer()).get('/health/live').set('X-Filler', 'x'.repeat(8 * 1024)).expect(200);
    });
  });

  it('checks iss and aud on an instance configured with them', async () => {
    const claims = { issuer: 'https://auth.example.com', audience: 'learning-api' };
    const strict = await fx.startInstance({ AUTH_JWT_ISSUER: claims.issuer, AUTH_JWT_AUDIENCE: claims.audience });
    const server = strict.app.getHttpServer();
    const plain = await bearerOf('student-1');
    const denied = await request(server).get('/chats').set('Authorization', plain).expect(401);
    expect(denied.body.message).toBe('Invalid token: claim "iss" is missing');
    const other = `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'student-1', role: 'user' }, '1h', { ...claims, audience: 'billing-api' })}`;
    expect((await request(server).get('/chats').set('Authorization', other).expect(401)).body.message).toBe('Invalid token: claim "aud" is not accepted');
    const good = `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'student-1', role: 'user' }, '1h', claims)}`;
    await request(server).get('/chats').set('Authorization', good).expect(200);
  });

  describe('rate limits (an instance with tight ones)', () => {
    let limited: AppInstance;
    let url: string;
    const streams: EventStream[] = [];
    const LIMITS = {
      RATE_LIMIT_AUTH_FAILURES: '5',
      RATE_LIMIT_AUTH_WINDOW: '3s',
      RATE_LIMIT_ADMIN: '5',
      RATE_LIMIT_ADMIN_WINDOW: '1m',
      SSE_MAX_STREAMS_PER_USER: '2',
      HTTP_BODY_LIMIT: '16384',
      HTTP_BODY_MAX_DEPTH: '4',
    };

    beforeAll(async () => {
      limited = await fx.startInstance(LIMITS);
      await limited.app.listen(0, '127.0.0.1');
      url = (await limited.app.getUrl()).replace('[::1]', '127.0.0.1');
    }, 30_000);

    afterAll(() => {
      for (const stream of streams) stream.close();
    });

    const open = async (agent: string, chatId: number | string) => {
      const stream = await openEventStream(`${url}/chats/${chatId}/events`, { authorization: await bearerOf(agent) });
      streams.push(stream);
      return stream;
    };

    it('takes its body size and depth limits from the settings', async () => {
      const agent = await limited.as('student-1');
      await agent.post('/chats/1/messages').send({ content: 'x'.repeat(17 * 1024) }).expect(413);
      await agent.post('/chats/1/messages').send({ content: 'x'.repeat(15 * 1024) }).expect(400); // over 4,000 characters
      const deep = await asJson(agent.post('/chats'), deepChatBody(5)).expect(400);
      expect(deep.body.message).toEqual(['body must not be nested deeper than 4 levels']);
    });

    it('caps the event streams a user has open at once; closing one frees its slot', async () => {
      const first = await open('student-1', 1);
      const second = await open('student-1', 2);
      expect([first.status, second.status]).toEqual([200, 200]);
      await first.next((e) => e.type === 'ready');
      const third = await open('student-1', 3);
      expect(third.status).toBe(429);
      // Another user has slots of their own; refused and failed opens take none.
      const bobs = await open('student-2', 4);
      expect(bobs.status).toBe(200);
      bobs.close();
      first.close();
      // The server frees the slot when it sees the connection close.
      const reopened = await eventually(
        async () => {
          const attempt = await open('student-1', 3);
          if (attempt.status !== 200) attempt.close();
          return attempt;
        },
        (attempt) => attempt.status === 200,
        5_000,
        50,
      );
      await reopened.next((e) => e.type === 'ready');
      expect((await open('student-1', 1)).status).toBe(429);
      second.close();
      reopened.close();
    });

    it('a stream refused by validation or ownership takes no slot', async () => {
      await eventually(async () => (await open('student-1', 1)).status, (status) => status === 200, 5_000, 50);
      for (let i = 0; i < 3; i++) {
        expect((await open('student-1', 'abc')).status).toBe(400);
        expect((await open('student-1', 4)).status).toBe(404); // student-2's chat
      }
      expect((await open('student-1', 2)).status).toBe(200);
    });

    it('limits each admin on /admin/cache routes; other admins, other routes, health and metrics are not limited', async () => {
      const carol = await limited.as('carol-admin', 'admin');
      const dave = await limited.as('dave-admin', 'admin');
      for (let i = 0; i < 5; i++) await carol.get('/admin/cache/stats').expect(200);
      const refused = await carol.get('/admin/cache/stats').expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await carol.get('/admin/cache/entries').expect(429);
      await dave.get('/admin/cache/stats').expect(200);
      await carol.get('/expert-sessions').expect(200);
      const server = limited.app.getHttpServer();
      for (let i = 0; i < 10; i++) {
        await request(server).get('/health/live').expect(200);
        await request(server).get('/metrics').expect(200);
      }
    });

    it('answers 429 to a client after 5 failed token attempts, valid token or not, until the window ends', async () => {
      const server = limited.app.getHttpServer();
      const valid = await bearerOf('student-1');
      await request(server).get('/chats').set('Authorization', valid).expect(200);
      for (let i = 0; i < 4; i++) await request(server).get('/chats').set('Authorization', `Bearer guess.${i}.x`).expect(401);
      await request(server).get('/chats').expect(401); // a missing token counts too
      const refused = await request(server).get('/chats').set('Authorization', 'Bearer guess.5.x').expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await request(server).get('/chats').set('Authorization', valid).expect(429);
      // Public routes stay open, and the primary instance (its own counters) still answers.
      await request(server).get('/health/live').expect(200);
      await alice.get('/chats').expect(200);
      await sleep(3_100);
      await request(server).get('/chats').set('Authorization', valid).expect(200);
    });
  });
});

async function bearerOf(sub: string): Promise<string> {
  return `Bearer ${await signToken(TEST_JWT_SECRET, { sub, role: 'user' })}`;
}
