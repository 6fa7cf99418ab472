import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/** A free loopback port, picked by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** How a private redis-server persists. By default it keeps nothing on disk. */
export interface RedisProcessOptions {
  /** Working directory, where the snapshot is written and, on start, loaded from. */
  dir?: string;
  /** Snapshot file name inside `dir`. Default `dump.rdb` (the server's own default). */
  dbfilename?: string;
  /** The server's `save` schedule; `''` (the default) takes snapshots only on `SAVE`. */
  save?: string;
  /** Serve TLS only (`--port 0`): the port is the TLS port and {@link RedisProcess.url} is `rediss://`. */
  tls?: RedisProcessTls;
  /** ACL file to load (`--aclfile`); keep a `default` user in it for the start-up probe. */
  aclFile?: string;
}

/** PEM files of a TLS redis-server, and the client certificate its start-up probe presents. */
export interface RedisProcessTls {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** `--tls-auth-clients`: `yes` refuses clients without a certificate. Default `optional`. */
  authClients?: 'yes' | 'optional' | 'no';
  clientCertFile?: string;
  clientKeyFile?: string;
}

/**
 * A private redis-server on its own loopback port, for fault tests: it can be stopped and started
 * without touching the shared server.
 */
export class RedisProcess {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly options: RedisProcessOptions = {},
  ) {}

  static async start(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    const server = new RedisProcess(await freePort(), options);
    await server.start();
    return server;
  }

  /**
   * Kills the server (SIGKILL: no final snapshot, like a crash) and starts it again on the same
   * port; with `dir`, it comes back with the last snapshot taken there.
   */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  /** The running server's process id (to pause it with SIGSTOP, say). */
  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null) throw new Error(`redis-server on port ${this.port} is not running`);
    return pid;
  }

  async start(): Promise<void> {
    const { tls, aclFile } = this.options;
    // With TLS the plaintext port is off, so nothing can reach this server without TLS.
    const args = ['--port', tls ? '0' : String(this.port), '--bind', '127.0.0.1', '--save', this.options.save ?? '', '--appendonly', 'no'];
    if (this.options.dir !== undefined) args.push('--dir', this.options.dir);
    if (this.options.dbfilename !== undefined) args.push('--dbfilename', this.options.dbfilename);
    if (tls) {
      args.push('--tls-port', String(this.port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile);
      args.push('--tls-auth-clients', tls.authClients ?? 'optional');
    }
    if (aclFile !== undefined) args.push('--aclfile', aclFile);
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const probeTls = tls && {
      ca: readFileSync(tls.caFile),
      ...(tls.clientCertFile && tls.clientKeyFile ? { cert: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile) } : {}),
    };
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(probeTls ? { tls: probeTls } : {}) });
    const deadline = Date.now() + 5_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        await probe.quit();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

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
