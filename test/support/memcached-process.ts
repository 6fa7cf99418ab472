import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './redis-process.js';

/**
 * A private memcached on its own loopback port (`-U 0`: no UDP), for the Memcached tier's specs:
 * each spec starts the servers it needs, can kill one, and stops them. Never the shared servers.
 */
export class MemcachedProcess {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<MemcachedProcess> {
    const server = new MemcachedProcess(await freePort());
    await server.start();
    return server;
  }

  /** `host:port`, as the tier's `servers` option takes it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server unless it runs already. */
  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return;
    // -I 8m: the conformance suite stores 5 MB values (the default item limit is 1 MB).
    const args = ['-l', '127.0.0.1', '-p', String(this.port), '-U', '0', '-m', '64', '-I', '8m'];
    // memcached refuses to run as root unless told which user to stay.
    if (process.getuid?.() === 0) args.push('-u', 'root');
    this.child = spawn('memcached', args, { stdio: 'ignore' });
    const deadline = Date.now() + 5_000;
    while (!(await answers(this.port))) {
      if (Date.now() > deadline) throw new Error(`memcached on port ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGSTOP: the server hangs with its sockets open and its items kept, until {@link resume}. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL, like a crash: what it held is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.child = undefined;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.write('version\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('VERSION'));
    });
    socket.once('error', () => resolve(false));
  });
}
