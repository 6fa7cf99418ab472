import type { MemcacheClient, MultipleServerEntry } from 'memcache-client';
import { InvalidOptionError } from '../../core/errors.js';
import { loadMemcacheClient } from '../optional-peer.js';
import { KetamaRing } from './ketama.ring.js';

/** Connection settings of every shard. */
export interface MemcachedShardOptions {
  readonly servers: readonly string[];
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

const SERVER = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

/** One client per server, and the ketama ring that says which server holds a key. */
export class MemcachedShards {
  private readonly ring: KetamaRing;
  private readonly clients = new Map<string, MemcacheClient>();

  /** @throws InvalidOptionError naming `memcached.servers` when the list is empty or malformed. */
  constructor(options: MemcachedShardOptions) {
    if (options.servers.length === 0) throw new InvalidOptionError('memcached.servers', 'needs at least one host:port');
    for (const server of options.servers) {
      if (!SERVER.test(server)) throw new InvalidOptionError('memcached.servers', `'${server}' is not host:port`);
    }
    if (new Set(options.servers).size !== options.servers.length) throw new InvalidOptionError('memcached.servers', 'lists a server twice');
    const { MemcacheClient: Client } = loadMemcacheClient('The memcached option (L2)');
    for (const server of options.servers) {
      // keepLastServer and a short retry keep the client trying the one server it has: a shard
      // that comes back is used again within a second, and its keys are found missing, not stale.
      const client = new Client({
        // The client reads `config` beside `servers` (its typings put it elsewhere).
        server: { servers: [{ server, maxConnections: 1 }], config: { retryFailedServerInterval: 200, failedServerOutTime: 200, keepLastServer: true } } as MultipleServerEntry,
        cmdTimeout: options.commandTimeoutMs,
        connectTimeout: options.connectTimeoutMs,
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      });
      this.clients.set(server, client);
    }
    this.ring = new KetamaRing(options.servers);
  }

  /** The client of the server that owns `storageKey`. */
  clientFor(storageKey: string): MemcacheClient {
    return this.clients.get(this.ring.serverFor(storageKey))!;
  }

  close(): void {
    for (const client of this.clients.values()) client.shutdown();
  }
}
