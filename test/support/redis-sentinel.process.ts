import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askNode, isRunning, sigkill, waitUntil } from './redis-node.js';
import { freePort } from './redis-process.js';

/** The master group name the harness registers with its sentinels. */
export const SENTINEL_MASTER_NAME = 'tcmaster';

const ask = askNode;

/**
 * A private Sentinel set-up on loopback: a master, `replicas` replicas and three sentinels
 * (quorum 2), each a child process on a free port. Short timeouts so a killed master is failed
 * over within a few seconds. The shared server is not involved.
 */
export class RedisSentinelProcess {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    /** Ports of the data nodes; the first is the initial master. */
    readonly serverPorts: readonly number[],
    readonly sentinelPorts: readonly number[],
    private readonly dir: string,
  ) {}

  /**
   * @param replicas how many replicas the master gets.
   * @param options `unpromotable`: indexes of replicas started with `replica-priority 0`, which
   *   sentinels never promote (to steer a failover to a chosen replica).
   */
  static async start(replicas = 2, options: { unpromotable?: number[] } = {}): Promise<RedisSentinelProcess> {
    const ports = new Set<number>();
    while (ports.size < replicas + 1 + 3) ports.add(await freePort());
    const all = [...ports];
    const setup = new RedisSentinelProcess(all.slice(0, replicas + 1), all.slice(replicas + 1), mkdtempSync(join(tmpdir(), 'tc-sentinel-')));
    try {
      const [masterPort, ...replicaPorts] = setup.serverPorts;
      setup.spawnServer(masterPort!);
      replicaPorts.forEach((port, index) => setup.spawnServer(port, masterPort, options.unpromotable?.includes(index) ? 0 : undefined));
      await waitUntil('replicas did not sync with the master', async () => {
        const info = String(await ask(masterPort!, 'INFO', 'replication'));
        return (info.match(/state=online/g) ?? []).length === replicaPorts.length;
      }, 15_000);
      for (const port of setup.sentinelPorts) setup.spawnSentinel(port, masterPort!);
      await setup.waitForMaster((port) => port === masterPort);
      await waitUntil('sentinels did not see each other and the replicas', async () => {
        for (const port of setup.sentinelPorts) {
          const [master] = (await ask(port, 'SENTINEL', 'MASTERS')) as string[][];
          const fields = fieldsOf(master!);
          if (Number(fields['num-other-sentinels']) < 2 || Number(fields['num-slaves']) < replicaPorts.length) return false;
        }
        return true;
      }, 20_000);
    } catch (error) {
      await setup.stop();
      throw error;
    }
    return setup;
  }

  /** Sentinel addresses for a client's `sentinels` option. */
  get sentinels(): Array<{ host: string; port: number }> {
    return this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
  }

  /** The port every running sentinel reports as the master. */
  async masterPort(): Promise<number> {
    for (const port of this.sentinelPorts) {
      if (!isRunning(this.children.get(port))) continue;
      const reply = (await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME).catch(() => undefined)) as string[] | undefined;
      if (reply) return Number(reply[1]);
    }
    throw new Error('no sentinel answered');
  }

  /**
   * Resolves once every sentinel names the same node as the master, that node says it is one, and
   * `accept` takes it (e.g. `(port) => port !== before` after a failover).
   */
  async waitForMaster(accept: (port: number) => boolean = () => true, timeoutMs = 30_000): Promise<number> {
    let agreed = 0;
    await waitUntil('sentinels did not agree on an accepted master', async () => {
      const answers = await Promise.all(this.sentinelPorts.map(async (sentinel) =>
        Number(((await ask(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME)) as string[])[1])));
      agreed = answers[0]!;
      if (!answers.every((answer) => answer === agreed) || !accept(agreed)) return false;
      return String(await ask(agreed, 'ROLE')).startsWith('master');
    }, timeoutMs);
    return agreed;
  }

  /** Asks a sentinel to fail over now (a graceful switch: the old master turns replica). */
  async failover(): Promise<void> {
    await ask(this.sentinelPorts[0]!, 'SENTINEL', 'FAILOVER', SENTINEL_MASTER_NAME);
  }

  /** SIGKILLs a data node or a sentinel, as a crash would. */
  async kill(port: number): Promise<void> {
    await sigkill(this.children.get(port));
  }

  /** Pauses a data node (SIGSTOP), e.g. a replica, so that it lags behind its master. */
  pause(port: number): void {
    this.children.get(port)?.kill('SIGSTOP');
  }

  /**
   * Makes a replica miss every write from now on, until {@link resume}: it drops its link to the
   * master and is paused before it reconnects. (A pause alone is not enough: what the master sent
   * waits in the paused replica's socket buffer and is applied on resume.)
   */
  async holdBack(port: number): Promise<void> {
    const master = await this.masterPort();
    for (let attempt = 0; attempt < 20; attempt++) {
      await ask(port, 'CLIENT', 'KILL', 'TYPE', 'master');
      this.pause(port);
      // On a loaded machine the replica may link up again before the pause lands; the master then
      // still streams to it. Held back only once the master no longer lists it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!String(await ask(master, 'INFO', 'replication')).includes(`port=${port},`)) return;
      this.resume(port);
    }
    throw new Error(`replica ${port} could not be held back from master ${master}`);
  }

  resume(port: number): void {
    this.children.get(port)?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    for (const port of this.children.keys()) {
      this.resume(port);
      await this.kill(port);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawnServer(port: number, masterPort?: number, priority?: number): void {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir,
      '--dbfilename', `dump-${port}.rdb`, '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];
    if (masterPort !== undefined) args.push('--replicaof', '127.0.0.1', String(masterPort));
    if (priority !== undefined) args.push('--replica-priority', String(priority));
    this.children.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
  }

  private spawnSentinel(port: number, masterPort: number): void {
    // A sentinel rewrites its configuration file, so each one has its own.
    const file = join(this.dir, `sentinel-${port}.conf`);
    writeFileSync(file, [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${this.dir}`,
      `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
      '',
    ].join('\n'));
    this.children.set(port, spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' }));
  }
}

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) fields[flat[index]!] = flat[index + 1]!;
  return fields;
}
