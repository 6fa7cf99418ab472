import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-process.js';

const run = promisify(execFile);

/** Where the server binaries are: `PG_BIN_DIR`, else the newest `/usr/lib/postgresql/<version>/bin`. */
async function binDir(): Promise<string> {
  const candidates = process.env.PG_BIN_DIR
    ? [process.env.PG_BIN_DIR]
    : (await readdir('/usr/lib/postgresql').catch(() => [] as string[]))
        .filter((version) => /^\d+$/.test(version))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => `/usr/lib/postgresql/${version}/bin`);
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  if (!found) {
    throw new Error(
      `PostgreSQL server binaries (initdb, postgres) not found in ${candidates.join(', ') || '/usr/lib/postgresql/*/bin'}. ` +
        'Install the PostgreSQL server package, or set PG_BIN_DIR to the directory holding initdb and postgres.',
    );
  }
  return found;
}

/**
 * The user the cluster runs as. initdb and postgres refuse to run as root, so under root they run
 * as the `postgres` system user (spawned with its uid/gid, like `runuser -u postgres`), and the
 * cluster's directory is handed to it.
 */
async function clusterUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error('Running as root, and there is no postgres user to run the test cluster as (initdb refuses root)');
  }
}

/** The server's certificate and key, and what `pg_hba.conf` accepts. */
export interface PostgresProcessOptions {
  certFile: string;
  keyFile: string;
  /** CA of the client certificates, for `cert` authentication (`ssl_ca_file`). */
  caFile?: string;
  /** `pg_hba.conf` lines checked before the last one, `hostssl all all 127.0.0.1/32 trust`. */
  hba?: readonly string[];
}

/**
 * A throwaway PostgreSQL cluster on a free loopback port, for the TLS tests: made with initdb in a
 * temporary directory, with `ssl=on` and a `pg_hba.conf` that accepts TLS connections only. Takes
 * a second or two; `stop()` ends it and removes the directory.
 */
export class PostgresProcess {
  private log = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/postgres`, with `query` (e.g. `?sslmode=verify-full`) appended. */
  url(query = ''): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres${query}`;
  }

  static async start(options: PostgresProcessOptions): Promise<PostgresProcess> {
    const bin = await binDir();
    const user = await clusterUser();
    const dir = await mkdtemp(join(tmpdir(), 'tc-pg-'));
    const data = join(dir, 'data');
    const certFile = join(dir, 'server.crt');
    const keyFile = join(dir, 'server.key');
    const caFile = join(dir, 'client-ca.crt');
    await copyFile(options.certFile, certFile);
    await copyFile(options.keyFile, keyFile);
    if (options.caFile) await copyFile(options.caFile, caFile);
    // The server refuses a key that others can read.
    await chmod(keyFile, 0o600);
    if (user) for (const path of [dir, certFile, keyFile, ...(options.caFile ? [caFile] : [])]) await chown(path, user.uid, user.gid);
    const as = user ? { uid: user.uid, gid: user.gid } : {};
    try {
      await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale=C'], as);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
    }
    // No `host` or `local` line: a connection without TLS finds no entry and is refused.
    const hba = [...(options.hba ?? []), 'hostssl all all 127.0.0.1/32 trust'];
    await writeFile(join(data, 'pg_hba.conf'), `${hba.join('\n')}\n`);
    const port = await freePort();
    const settings = {
      listen_addresses: '127.0.0.1',
      ssl: 'on',
      ssl_cert_file: certFile,
      ssl_key_file: keyFile,
      ...(options.caFile ? { ssl_ca_file: caFile } : {}),
      // A test cluster: nothing in it has to survive a crash.
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      shared_buffers: '16MB',
      max_connections: '30',
    };
    const args = ['-D', data, '-p', String(port), '-k', dir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
    const child = spawn(join(bin, 'postgres'), args, { ...as, stdio: ['ignore', 'ignore', 'pipe'] });
    const server = new PostgresProcess(port, dir, child);
    await server.ready();
    return server;
  }

  /** Ends the server (fast shutdown) and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private ready(timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void this.stop().finally(() => reject(new Error(`${reason}; server log:\n${this.log}`)));
      };
      const timer = setTimeout(() => fail(`PostgreSQL on port ${this.port} not ready within ${timeoutMs} ms`), timeoutMs);
      this.child.once('exit', (code) => fail(`PostgreSQL exited with code ${code} during start-up`));
      this.child.once('error', (error) => fail(`PostgreSQL did not start: ${error.message}`));
      this.child.stderr!.on('data', (chunk: Buffer) => {
        this.log += chunk.toString();
        if (!settled && this.log.includes('database system is ready to accept connections')) {
          settled = true;
          clearTimeout(timer);
          this.child.removeAllListeners('exit');
          resolve();
        }
      });
    });
  }
}
