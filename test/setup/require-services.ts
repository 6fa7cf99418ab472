import { Socket } from 'node:net';

// Jest loads global set-up outside its module mapper, so the defaults of test/support/services.ts are read here directly.
const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOW_TO_START: Record<string, string> = {
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
};

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Fails the run at once, naming the server and how to start it, when one cannot be reached. */
export default async function requireServices(): Promise<void> {
  const servers = [
    { name: 'PostgreSQL', url: new URL(TEST_DATABASE_URL), defaultPort: 5432 },
    { name: 'Redis', url: new URL(TEST_REDIS_URL), defaultPort: 6379 },
  ];
  const missing: string[] = [];
  for (const { name, url, defaultPort } of servers) {
    const port = Number(url.port || defaultPort);
    if (!(await reachable(url.hostname, port))) {
      missing.push(`${name} is not answering at ${url.hostname}:${port}. Start it with:\n  ${HOW_TO_START[name]}\nor point ${name === 'Redis' ? 'REDIS_URL' : 'DATABASE_URL'} at a running server.`);
    }
  }
  if (missing.length > 0) throw new Error(`The test suite needs real servers.\n${missing.join('\n')}`);
}
