import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { askNode, isRunning, sigkill, waitUntil } from './redis-node.js';
import { freePort } from './redis-process.js';

const run = promisify(execFile);

/** One redis-server of a private cluster. */
export interface ClusterNode {
  readonly port: number;
  /** Running, as far as this harness knows (not stopped by {@link RedisClusterProcess.kill}). */
  readonly running: boolean;
}

async function ask(port: number, ...command: string[]): Promise<string> {
  return String(await askNode(port, ...command));
}

/**
 * A private Redis Cluster on loopback: `masters` masters with one replica each, every node a child
 * process on a free port with its node file in a temporary directory. The shared server is not
 * involved. Masters can be killed to force a failover, and slots moved to exercise a reshard.
 */
export class RedisClusterProcess {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    readonly ports: readonly number[],
    private readonly dir: string,
  ) {}

  /** Starts `2 × masters` servers and joins them with `redis-cli --cluster create --cluster-replicas 1`. */
  static async start(masters = 3): Promise<RedisClusterProcess> {
    const ports: number[] = [];
    while (ports.length < masters * 2) {
      const port = await freePort();
      // The cluster bus listens on port + 10000: both must be free, and distinct from the others.
      if (port + 10_000 > 65_535 || ports.includes(port)) continue;
      ports.push(port);
    }
    const cluster = new RedisClusterProcess(ports, mkdtempSync(join(tmpdir(), 'tc-cluster-')));
    try {
      for (const port of ports) cluster.spawnNode(port);
      await Promise.all(ports.map((port) => waitUntil(`cluster node ${port} did not answer`, async () => (await ask(port, 'PING')) === 'PONG', 10_000)));
      const addresses = ports.map((port) => `127.0.0.1:${port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
      await cluster.waitHealthy();
      await cluster.waitReplicasInSync();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Seed nodes for a cluster client. */
  get startupNodes(): Array<{ host: string; port: number }> {
    return this.ports.map((port) => ({ host: '127.0.0.1', port }));
  }

  get nodes(): ClusterNode[] {
    return this.ports.map((port) => ({ port, running: isRunning(this.children.get(port)) }));
  }

  /** The ports of the current masters, as a running node sees them. */
  async masters(): Promise<number[]> {
    return (await this.topology()).filter((node) => node.role === 'master').map((node) => node.port);
  }

  /** The ports of the current replicas of `masterPort`. */
  async replicasOf(masterPort: number): Promise<number[]> {
    const nodes = await this.topology();
    const master = nodes.find((node) => node.port === masterPort);
    return nodes.filter((node) => node.role === 'replica' && node.masterId === master?.id).map((node) => node.port);
  }

  /** The port of the master serving `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const seed = this.runningPort();
    const slot = Number(await ask(seed, 'CLUSTER', 'KEYSLOT', key));
    const client = new Redis({ host: '127.0.0.1', port: seed, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`slot ${slot} is not served`);
      return range[2][1];
    } finally {
      client.disconnect();
    }
  }

  /** SIGKILLs a node, as a crash would. */
  async kill(port: number): Promise<void> {
    await sigkill(this.children.get(port));
  }

  /** Pauses a node (SIGSTOP): it keeps its sockets but answers nothing, like a hung or partitioned host. */
  pause(port: number): void {
    this.children.get(port)?.kill('SIGSTOP');
  }

  resume(port: number): void {
    this.children.get(port)?.kill('SIGCONT');
  }

  /** Starts a killed node again with its node file: it rejoins, as a replica if it was failed over. */
  async restart(port: number): Promise<void> {
    await this.kill(port);
    this.spawnNode(port);
    await waitUntil(`cluster node ${port} did not come back`, async () => (await ask(port, 'PING')) === 'PONG', 10_000);
  }

  /**
   * Resolves once every running node reports `cluster_state:ok` and the slots are served by running
   * masters only, i.e. a failover (if any) has completed.
   */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const expected = this.ports.length / 2;
    await waitUntil('cluster did not reach cluster_state:ok on every node', async () => {
      for (const node of this.nodes.filter((candidate) => candidate.running)) {
        if (!(await ask(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
      }
      const running = new Set(this.nodes.filter((node) => node.running).map((node) => node.port));
      const masters = (await this.topology()).filter((node) => node.role === 'master' && node.slots > 0);
      // A killed master keeps its slots in the others' view until they agree it failed.
      return masters.length === expected && masters.every((node) => running.has(node.port) && !node.failed);
    }, timeoutMs);
  }

  /**
   * Resolves once every running replica has finished syncing with its master: a replica that never
   * synced does not stand for election, so a master killed before then is never failed over.
   */
  async waitReplicasInSync(timeoutMs = 30_000): Promise<void> {
    await waitUntil('replicas did not sync with their masters', async () => {
      for (const node of await this.topology()) {
        if (node.role !== 'replica' || !this.nodes.some((candidate) => candidate.port === node.port && candidate.running)) continue;
        if (!(await ask(node.port, 'INFO', 'replication')).includes('master_link_status:up')) return false;
      }
      return true;
    }, timeoutMs);
  }

  /** Moves `count` slots from one master to another with `redis-cli --cluster reshard`, while serving. */
  async reshard(fromPort: number, toPort: number, count: number): Promise<void> {
    const nodes = await this.topology();
    const from = nodes.find((node) => node.port === fromPort);
    const to = nodes.find((node) => node.port === toPort);
    if (!from || !to) throw new Error(`no master on ${fromPort} or ${toPort}`);
    await run('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${this.runningPort()}`, '--cluster-from', from.id, '--cluster-to', to.id,
      '--cluster-slots', String(count), '--cluster-yes', '--cluster-pipeline', '100'], { timeout: 120_000 });
  }

  /** Kills every node and removes the node files. */
  async stop(): Promise<void> {
    for (const port of this.children.keys()) {
      this.resume(port);
      await this.kill(port);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawnNode(port: number): void {
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
      '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0', '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`), '--cluster-node-timeout', '1000',
      '--dir', this.dir, '--dbfilename', `dump-${port}.rdb`, '--logfile', join(this.dir, `redis-${port}.log`),
    ];
    this.children.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
  }

  private runningPort(): number {
    const node = this.nodes.find((candidate) => candidate.running);
    if (!node) throw new Error('no cluster node is running');
    return node.port;
  }

  private async topology(): Promise<Array<{ id: string; port: number; role: 'master' | 'replica'; masterId: string; slots: number; failed: boolean }>> {
    const text = await ask(this.runningPort(), 'CLUSTER', 'NODES');
    return text.trim().split('\n').map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
      return {
        id: id!,
        port: Number(/:(\d+)@/.exec(address!)?.[1]),
        role: flags!.includes('master') ? 'master' : 'replica',
        masterId: masterId!,
        slots: slots.length,
        failed: flags!.includes('fail'),
      };
    });
  }
}
