import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertTransition, AlertView } from './alert-evaluator.js';
import { AlertWebhookNotifier, resolveWebhookOptions, type AlertWebhookPayload } from './alert-webhook.notifier.js';

/** A real receiver on 127.0.0.1: answers with the queued status codes, then 200. */
let server: Server;
let url: string;
let received: Array<{ body: AlertWebhookPayload; headers: Record<string, unknown> }>;
let statuses: number[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertWebhookPayload, headers: req.headers });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
  statuses = [];
});

const firingView: AlertView = {
  id: 'TieredCacheCircuitOpen{tier="l2"}',
  name: 'TieredCacheCircuitOpen',
  severity: 'critical',
  summary: 'Cache tier circuit breaker open',
  labels: { tier: 'l2' },
  state: 'firing',
  value: 1,
  activeSince: '2026-01-01T00:00:00.000Z',
  firingSince: '2026-01-01T00:02:00.000Z',
  resolvedAt: null,
};
const fire: AlertTransition = { kind: 'firing', alert: firingView };
const resolve: AlertTransition = { kind: 'resolved', alert: { ...firingView, state: 'resolved', resolvedAt: '2026-01-01T00:10:00.000Z' } };
const source = { namespace: 'app', instanceId: 'i-1' };

describe('AlertWebhookNotifier', () => {
  it('retries a 500 with backoff and delivers the fire as JSON', async () => {
    statuses = [500, 503];
    const notifier = new AlertWebhookNotifier({ url, backoff: 20, headers: { authorization: 'Bearer t' } }, source);
    const started = Date.now();
    const delivery = await notifier.notify(fire);
    expect(delivery).toEqual({ ok: true, attempts: 3, duplicate: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 - 5);
    expect(received).toHaveLength(3);
    expect(received[2]!.body).toEqual({ status: 'firing', namespace: 'app', instanceId: 'i-1', alert: firingView });
    expect(received[2]!.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t' });
  });

  it('posts one notification per state change, and one on resolve', async () => {
    const notifier = new AlertWebhookNotifier({ url, backoff: 1 }, source);
    await Promise.all([notifier.notify(fire), notifier.notify(fire)]);
    expect(await notifier.notify(fire)).toMatchObject({ duplicate: true, attempts: 0 });
    await notifier.notify(resolve);
    expect(received.map((r) => [r.body.status, r.body.alert.resolvedAt])).toEqual([
      ['firing', null],
      ['resolved', '2026-01-01T00:10:00.000Z'],
    ]);
  });

  it('gives up after `attempts` and reports the last error', async () => {
    statuses = [500, 500, 500];
    const notifier = new AlertWebhookNotifier({ url, attempts: 2, backoff: 1 }, source);
    expect(await notifier.notify(fire)).toEqual({ ok: false, attempts: 2, duplicate: false, error: 'HTTP 500' });
    expect(received).toHaveLength(2);
  });

  it.each([
    [{ url: 'not a url' }, 'webhook.url must be an absolute http(s) URL'],
    [{ url: 'ftp://127.0.0.1/' }, 'webhook.url must be an http(s) URL'],
    [{ url: 'http://127.0.0.1/', attempts: 0 }, 'webhook.attempts must be an integer from 1 to 20'],
    [{ url: 'http://127.0.0.1/', backoff: 'later' }, 'webhook.backoff'],
    [{ url: 'http://127.0.0.1/', timeout: 0 }, 'webhook.timeout must be more than 0'],
  ])('rejects %j naming the setting', (options, message) => {
    expect(() => resolveWebhookOptions(options as never)).toThrow(message);
  });
});
