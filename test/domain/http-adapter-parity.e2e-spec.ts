import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signToken } from '../../src/auth/index.js';
import type { HttpAdapterName } from '../../src/config/index.js';
import { TEST_JWT_SECRET } from '../support/app/boot-app.js';
import { createDomainFixture, type DomainFixture } from './support/domain-app.js';

/** Headers whose values must match; the others (date, length, Express's `X-Powered-By`) may differ. */
const COMPARED_HEADERS = ['content-type', 'cache-control', 'content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-cache'];

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** `status`: the body differs by design (a new row's id and times, or a message worded by the platform). */
  readonly compare?: 'all' | 'status';
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | null>;
  readonly body: string | undefined;
  readonly retryAfter: boolean;
}

const deep = (depth: number) => `{"title":"deep","extra":${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}}`;

/**
 * The reference app on Express and on Fastify side by side, on one database and Redis prefix: the
 * same requests get the same status, headers and body from both. The cases are the edges where the
 * two platforms differ unless the app evens them out: body parsing (empty, non-object and malformed
 * JSON, nested forms, unknown content types, size and depth), routing (letter case, trailing slash,
 * long path parameters), headers set by guards (`Retry-After`) and by `@Header`, static assets.
 */
describe('Express and Fastify answer alike', () => {
  let fx: DomainFixture;
  const urls = new Map<HttpAdapterName, string>();
  let user: string;
  let admin: string;

  beforeAll(async () => {
    fx = await createDomainFixture('adapter_parity');
    for (const adapter of ['express', 'fastify'] as const) {
      // Tight admin and body limits, so that the 429 and 413 cases take a few requests.
      const instance = await fx.startInstance({ HTTP_ADAPTER: adapter, RATE_LIMIT_ADMIN: '2', HTTP_BODY_LIMIT: '4096', HTTP_BODY_MAX_DEPTH: '8' });
      await instance.app.listen(0, '127.0.0.1');
      urls.set(adapter, `http://127.0.0.1:${(instance.app.getHttpServer().address() as AddressInfo).port}`);
    }
    user = `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'student-1', role: 'user' })}`;
    admin = `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'parity-admin', role: 'admin' })}`;
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
  });

  const ask = async (adapter: HttpAdapterName, { method = 'GET', path, headers = {}, body }: Case): Promise<Answer> => {
    const response = await fetch(`${urls.get(adapter)}${path}`, { method, headers, body });
    const text = method === 'HEAD' ? undefined : await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)])),
      body: text,
      retryAfter: Number(response.headers.get('retry-after')) > 0,
    };
  };

  const both = async (test: Case): Promise<[Answer, Answer]> => [await ask('express', test), await ask('fastify', test)];

  const json = (auth: () => string, contentType = 'application/json') => () => ({ 'content-type': contentType, authorization: auth() });
  const cases: Array<Omit<Case, 'headers'> & { headers?: () => Record<string, string> }> = [
    { name: 'an authenticated read', path: '/chats/1', headers: () => ({ authorization: user }) },
    { name: 'a path in other letter case, with a trailing slash', path: '/Chats/1/', headers: () => ({ authorization: user }) },
    { name: 'an unknown route', path: '/no/such/route' },
    { name: 'a HEAD request', method: 'HEAD', path: '/health/live' },
    { name: 'no token', path: '/chats' },
    { name: 'a malformed token', path: '/auth/me', headers: () => ({ authorization: 'Bearer not.a.jwt' }) },
    { name: 'an invalid id', path: '/chats/abc', headers: () => ({ authorization: user }) },
    { name: 'an id longer than Fastify\'s default parameter limit', path: `/chats/${'9'.repeat(150)}`, headers: () => ({ authorization: user }) },
    { name: 'an admin entry key of 300 characters', path: `/admin/cache/entries/${'k'.repeat(300)}`, headers: () => ({ authorization: admin }) },
    { name: 'an empty JSON body', method: 'POST', path: '/chats', headers: json(() => user), body: '' },
    { name: 'a JSON body of whitespace', method: 'POST', path: '/chats', headers: json(() => user), body: '   ' },
    { name: 'a JSON number', method: 'POST', path: '/chats', headers: json(() => user), body: '1' },
    { name: 'a JSON string', method: 'POST', path: '/chats', headers: json(() => user), body: ' "title"' },
    { name: 'malformed JSON', method: 'POST', path: '/chats', headers: json(() => user), body: '{bad' },
    { name: 'JSON in a charset other than UTF', method: 'POST', path: '/chats', headers: json(() => user, 'application/json; charset=latin1'), body: '{"title":"x"}' },
    { name: 'a JSON body with a __proto__ key', method: 'POST', path: '/chats', headers: json(() => user), body: '{"__proto__":{"x":1},"title":"p"}', compare: 'status' },
    { name: 'a JSON body deeper than the limit', method: 'POST', path: '/chats', headers: json(() => user), body: deep(9) },
    { name: 'a deep JSON body without a token (depth answers first)', method: 'POST', path: '/chats', headers: () => ({ 'content-type': 'application/json' }), body: deep(300) },
    { name: 'a JSON body at the depth limit', method: 'POST', path: '/chats', headers: json(() => user), body: deep(8) },
    { name: 'a form with nested keys', method: 'POST', path: '/chats', headers: json(() => user, 'application/x-www-form-urlencoded'), body: 'title=form&extra[a][b]=1' },
    { name: 'a form nested deeper than the limit', method: 'POST', path: '/chats', headers: json(() => user, 'application/x-www-form-urlencoded'), body: `title=f&extra${'[a]'.repeat(9)}=1` },
    { name: 'a form of more than 1,000 fields', method: 'POST', path: '/chats', headers: json(() => user, 'application/x-www-form-urlencoded'), body: `title=f${'&a=1'.repeat(1_000)}` },
    { name: 'a plain-text body (not read)', method: 'POST', path: '/chats', headers: json(() => user, 'text/plain'), body: '{"title":"x"}' },
    { name: 'an octet-stream body over the limit (not read)', method: 'POST', path: '/chats', headers: json(() => user, 'application/octet-stream'), body: 'x'.repeat(8_192) },
    { name: 'a body without a content type (not read)', method: 'POST', path: '/chats', headers: () => ({ authorization: user }), body: '{"title":"x"}' },
    // Express says "request entity too large", Fastify "Request body is too large".
    { name: 'a JSON body over the size limit', method: 'POST', path: '/chats', headers: json(() => user), body: JSON.stringify({ title: 'x'.repeat(8_192) }), compare: 'status' },
    { name: 'a form body over the size limit', method: 'POST', path: '/chats', headers: json(() => user, 'application/x-www-form-urlencoded'), body: `title=${'x'.repeat(8_192)}`, compare: 'status' },
    { name: 'the dashboard page', path: '/admin/dashboard' },
    { name: 'the dashboard page, trailing slash', path: '/admin/dashboard/' },
    { name: 'a dashboard asset', path: '/admin/dashboard/assets/dashboard.css' },
    { name: 'a missing dashboard asset', path: '/admin/dashboard/assets/none.css' },
    { name: 'the liveness probe (Cache-Control from @Header)', path: '/health/live' },
    { name: 'the OpenAPI document', path: '/docs-json' },
  ];

  it.each(cases)('$name', async ({ headers, ...test }) => {
    const [express, fastify] = await both({ ...test, headers: headers?.() });
    if (test.compare === 'status') expect(fastify.status).toBe(express.status);
    else expect(fastify).toEqual(express);
  });

  it('the metrics page, in Prometheus text format', async () => {
    const [express, fastify] = await both({ name: 'metrics', path: '/metrics' });
    expect([fastify.status, fastify.headers]).toEqual([express.status, express.headers]);
    expect(fastify.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('429 with Retry-After past the admin rate limit', async () => {
    // An admin of its own: the cases above used the other one's budget.
    const limited = `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'rate-limited-admin', role: 'admin' })}`;
    const test = { name: 'stats', path: '/admin/cache/stats', headers: { authorization: limited } };
    const answers: Array<[number, number]> = [];
    for (let i = 0; i < 3; i++) {
      const [express, fastify] = await both(test);
      answers.push([express.status, fastify.status]);
      if (i === 2) expect([express.retryAfter, fastify.retryAfter, fastify.body]).toEqual([true, true, express.body]);
    }
    expect(answers).toEqual([
      [200, 200],
      [200, 200],
      [429, 429],
    ]);
  });
});
