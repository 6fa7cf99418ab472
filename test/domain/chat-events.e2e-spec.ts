import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { signToken } from '../../src/auth/index.js';
import { TEST_JWT_SECRET } from '../support/app/boot-app.js';
import { createDomainFixture, type AppInstance, type DomainFixture } from './support/domain-app.js';
import { openEventStream, type EventStream, type SseEvent } from './support/event-stream.js';

/**
 * `GET /chats/:id/events` across two app instances on one database: the stream is served by
 * instance B, the messages are written through instance A (or by plain SQL); they travel through
 * the trigger's NOTIFY on `chat_events`, which every instance LISTENs to.
 */
describe('chat events (SSE) across two instances', () => {
  let fx: DomainFixture;
  let a: AppInstance;
  let b: AppInstance;
  let urlOfB: string;
  const streams: EventStream[] = [];

  const bearer = async (sub: string) => ({ authorization: `Bearer ${await signToken(TEST_JWT_SECRET, { sub, role: 'user' })}` });
  const open = async (sub: string, chatId: number, extra: Record<string, string> = {}) => {
    const stream = await openEventStream(`${urlOfB}/chats/${chatId}/events`, { ...(await bearer(sub)), ...extra });
    streams.push(stream);
    return stream;
  };
  const isMessage = (content: string) => (e: SseEvent) => e.type === 'message' && (e.data as { content?: string }).content === content;

  beforeAll(async () => {
    fx = await createDomainFixture('chat_events');
    a = fx.primary;
    b = await fx.startInstance();
    await b.app.listen(0, '127.0.0.1');
    urlOfB = await b.app.getUrl();
    urlOfB = urlOfB.replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await fx?.close();
  });

  it('pushes a message posted on the other instance to the stream', async () => {
    const stream = await open('student-1', 1);
    expect(stream.status).toBe(200);
    await stream.next((e) => e.type === 'ready');
    const posted = (await (await a.as('student-1')).post('/chats/1/messages').send({ content: 'sent via instance A' }).expect(201)).body;
    const event = await stream.next(isMessage('sent via instance A'));
    expect(event.id).toBe(String(posted.id));
    expect(event.data).toEqual({ ...posted });
  });

  it('pushes a message inserted with plain SQL, and nothing from other chats', async () => {
    const stream = await open('student-1', 2);
    await stream.next((e) => e.type === 'ready');
    const psql = new pg.Client({ connectionString: fx.database.url });
    await psql.connect();
    try {
      // Chat 4 belongs to student-2: its message must not reach student-1's stream of chat 2.
      await psql.query(`INSERT INTO chat_messages (chat_id, role, content) VALUES (4, 'user', 'not yours'), (2, 'assistant', 'from psql')`);
    } finally {
      await psql.end();
    }
    await stream.next(isMessage('from psql'));
    expect(stream.events.some(isMessage('not yours'))).toBe(false);
  });

  it('resumes after Last-Event-ID', async () => {
    const writer = await a.as('student-1');
    const first = (await writer.post('/chats/3/messages').send({ content: 'one' }).expect(201)).body;
    await writer.post('/chats/3/messages').send({ content: 'two' }).expect(201);
    await writer.post('/chats/3/messages').send({ content: 'three' }).expect(201);
    const stream = await open('student-1', 3, { 'last-event-id': String(first.id) });
    await stream.next(isMessage('three'));
    expect(stream.events.filter((e) => e.type === 'message').map((e) => (e.data as { content: string }).content)).toEqual(['two', 'three']);
  });

  it("answers 404 for another user's chat and 401 without a token, before any event", async () => {
    const other = await open('student-2', 1);
    expect(other.status).toBe(404);
    const anonymous = await openEventStream(`${urlOfB}/chats/1/events`, {});
    streams.push(anonymous);
    expect(anonymous.status).toBe(401);
    const bad = await open('student-1', 0);
    expect(bad.status).toBe(400);
  });

  it('ends the stream when the chat is deleted on the other instance', async () => {
    const owner = await a.as('student-3');
    const chat = (await owner.post('/chats').send({ title: 'short-lived' }).expect(201)).body;
    const stream = await open('student-3', chat.id);
    await stream.next((e) => e.type === 'ready');
    await owner.delete(`/chats/${chat.id}`).expect(204);
    await stream.next((e) => e.type === 'deleted');
    await stream.ended;
  });
});
