import type { Redis } from 'ioredis';

/** A replica as its master reports it. */
export interface RedisReplicaReport {
  /** `host:port` the replica announced. */
  address: string;
  /** `online` once synced; anything else means it would serve old data after a failover. */
  state: string;
  /** Replication bytes it is behind the master. */
  offsetLag: number;
  /** Seconds since its last acknowledgement. */
  lagSeconds: number;
}

/** The node L2 reads and writes, and its replicas. */
export interface RedisNodesReport {
  /** `host:port` the client is connected to. */
  master: string;
  /** The node's own `role` (a demoted master says `slave` until the client reconnects). */
  role: string;
  replicas: RedisReplicaReport[];
}

/**
 * What the tier's connection sees of its topology, from `INFO replication` on the node it talks
 * to: on a single server no replicas; under Sentinel the current master and each replica with its
 * lag.
 */
export async function describeRedisNodes(client: Redis): Promise<RedisNodesReport> {
  const info = await client.info('replication');
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  const masterOffset = Number(fields.get('master_repl_offset') ?? 0);
  const replicas: RedisReplicaReport[] = [];
  for (const [name, value] of fields) {
    if (!/^slave\d+$/.test(name)) continue;
    const parts = new Map(value.split(',').map((pair) => pair.split('=') as [string, string]));
    replicas.push({
      address: `${parts.get('ip')}:${parts.get('port')}`,
      state: parts.get('state') ?? 'unknown',
      offsetLag: Math.max(0, masterOffset - Number(parts.get('offset') ?? 0)),
      lagSeconds: Number(parts.get('lag') ?? 0),
    });
  }
  // Under Sentinel the options name no host: the socket says which master the client found.
  const socket = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  const master = socket?.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : `${client.options.host}:${client.options.port}`;
  return { master, role: fields.get('role') ?? 'unknown', replicas };
}
