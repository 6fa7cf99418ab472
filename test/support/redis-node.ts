import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

/** Polls `condition` every 100 ms until it holds, or throws `${what} within N ms`. */
export async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One command to one private redis-server (or sentinel) on loopback, on a connection of its own. */
export async function askNode(port: number, ...command: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  client.on('error', () => undefined); // the failure surfaces through the awaited call
  try {
    await client.connect();
    return await client.call(command[0]!, ...command.slice(1));
  } finally {
    client.disconnect();
  }
}

/** A child killed by a signal keeps `exitCode` null: `signalCode` tells it apart from a running one. */
export function isRunning(child: ChildProcess | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGKILLs `child`, as a crash would, and resolves once it has exited. */
export async function sigkill(child: ChildProcess | undefined): Promise<void> {
  if (!child || !isRunning(child)) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
