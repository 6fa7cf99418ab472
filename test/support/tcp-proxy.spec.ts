import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Socket } from 'node:net';
import { sleep } from './cache-fixture.js';
import { TEST_REDIS_URL } from './services.js';
import { TcpProxy } from './tcp-proxy.js';

/** A raw RESP connection: one PING, answered `+PONG`, without a client library's retries. */
async function connect(port: number): Promise<Socket> {
  const socket = new Socket();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => resolve());
  });
  return socket;
}

/** Sends PING; resolves to the reply, or to `closed` if the connection ends first. */
function ping(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const onData = (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.endsWith('\r\n')) finish(reply.trim());
    };
    const onClose = () => finish('closed');
    const finish = (result: string) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(result);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.on('error', () => undefined);
    socket.write('PING\r\n');
  });
}

const NOT_YET = 'not yet';
const within = <T>(promise: Promise<T>, ms: number) => Promise.race([promise, sleep(ms).then(() => NOT_YET)]);

describe('TcpProxy in front of the shared Redis', () => {
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await TcpProxy.start({ port: Number(new URL(TEST_REDIS_URL).port || 6379) });
  });

  afterAll(async () => proxy.close());

  it('pass: forwards both ways', async () => {
    const socket = await connect(proxy.port);
    expect(await ping(socket)).toBe('+PONG');
    socket.destroy();
  });

  it('delay: holds each chunk back, then delivers it', async () => {
    const socket = await connect(proxy.port);
    proxy.delay(300);
    const reply = ping(socket);
    expect(await within(reply, 100)).toBe(NOT_YET);
    expect(await reply).toBe('+PONG');
    proxy.pass();
    socket.destroy();
  });

  it('hang: keeps the connection open and forwards nothing until pass()', async () => {
    const socket = await connect(proxy.port);
    proxy.hang();
    const reply = ping(socket);
    expect(await within(reply, 300)).toBe(NOT_YET);
    expect(socket.destroyed).toBe(false);
    proxy.pass();
    expect(await reply).toBe('+PONG');
    socket.destroy();
  });

  it('cut: closes open connections; with refuse, new ones too until pass()', async () => {
    const open = await connect(proxy.port);
    const closed = new Promise<string>((resolve) => open.once('close', () => resolve('closed')));
    proxy.cut({ refuse: true });
    expect(await closed).toBe('closed');
    const refused = await connect(proxy.port);
    expect(await ping(refused)).toBe('closed');
    proxy.pass();
    const again = await connect(proxy.port);
    expect(await ping(again)).toBe('+PONG');
    again.destroy();
  });

  it('cut without refuse: accepts new connections at once', async () => {
    const open = await connect(proxy.port);
    proxy.cut();
    const fresh = await connect(proxy.port);
    expect(await ping(fresh)).toBe('+PONG');
    expect(open.destroyed || (await ping(open)) === 'closed').toBe(true);
    fresh.destroy();
    proxy.pass();
  });
});
