import { CircuitBreaker } from '../resilience/circuit-breaker.js';
import { DistributedLock } from '../resilience/distributed-lock.js';
import type { KeyLock } from '../resilience/key-lock.js';
import { RecoveryQueue } from '../resilience/recovery-queue.js';
import type { CacheBus } from '../sync/bus-message.js';
import { RedisBus } from '../sync/redis.bus.js';
import { MemoryTier } from '../tiers/memory/memory.tier.js';
import { PostgresTier } from '../tiers/postgres/postgres.tier.js';
import type { BusSigner } from '../security/bus-signer.js';
import type { PayloadCodec } from '../security/payload-codec.js';
import { RedisTier } from '../tiers/redis/redis.tier.js';
import type { Tier } from '../tiers/tier.js';
import { assertOneL2, buildMemcachedL2 } from './memcached-l2.js';
import type { TieredCacheOptions } from './options.js';
import type { RemoteSlot } from './remote-slot.js';
import { emptyCounters } from './stats.js';

/** The bus of a topology: Redis pub/sub, or PostgreSQL NOTIFY beside a Memcached L2. */
export type TopologyBus = CacheBus & { ready(timeoutMs?: number): Promise<void> };

/** The tiers, bus and lock a {@link TieredCacheOptions} describes, built and connected. */
export interface Topology {
  readonly l1: MemoryTier | undefined;
  /** Remote tiers top-down: L2 then L3. The first one is the clock source. */
  readonly remotes: readonly RemoteSlot[];
  readonly redis: RedisTier | undefined;
  /** The L3 slot, when configured. */
  readonly postgres: (RemoteSlot & { readonly tier: PostgresTier }) | undefined;
  readonly bus: TopologyBus | undefined;
  readonly lock: KeyLock | undefined;
  /** Tiers whose options were given without a server to reach (an unset environment variable, say): off. */
  readonly off: readonly TierOff[];
}

/** A remote tier left off, and why. */
export interface TierOff {
  readonly tier: 'l2' | 'l3';
  readonly reason: string;
}

export interface TopologyContext {
  readonly namespace: string;
  readonly instanceId: string;
  /** Turns serialized values into stored payloads and back, for both remote tiers. */
  readonly codec: PayloadCodec;
  readonly busSigner: BusSigner | undefined;
  /** Called when a remote tier's breaker closes again, to replay what others missed. */
  readonly onTierRecovered: () => void;
  /** Replays what a tier missed; runs before its breaker closes. */
  readonly replayTier: (slot: RemoteSlot) => Promise<void>;
}

/** Builds the tiers: L1 unless `memory: false`, L2 with `redis` or `memcached`, L3 with `postgres`, and the bus. */
export function buildTopology(options: TieredCacheOptions, context: TopologyContext): Topology {
  assertOneL2(options);
  const slot = (tier: Tier): RemoteSlot => {
    const created: RemoteSlot = {
      tier,
      breaker: new CircuitBreaker(
        tier.name,
        options.breaker,
        (state, previous) => {
          if (state === 'closed' && previous !== 'closed') context.onTierRecovered();
        },
        () => context.replayTier(created),
      ),
      recovery: new RecoveryQueue(tier),
      counters: emptyCounters(),
    };
    return created;
  };
  const remotes: RemoteSlot[] = [];
  let redis: RedisTier | undefined;
  let lock: KeyLock | undefined;
  let bus: TopologyBus | undefined;
  const off: TierOff[] = [];
  // `redis: { url: process.env.REDIS_URL }` with the variable unset turns L2 off rather than
  // connecting to a default server nobody configured.
  if (options.redis && !options.redis.client && !options.redis.url && !options.redis.sentinel) off.push({ tier: 'l2', reason: 'redis has neither a url, sentinels nor a client' });
  else if (options.redis) {
    const { keyPrefix = 'tc:' } = options.redis;
    // The tier builds (and closes) the client unless one was passed in; the lock and the bus share it.
    redis = new RedisTier({ ...options.redis, namespace: context.namespace, codec: context.codec });
    remotes.push(slot(redis));
    lock = new DistributedLock(redis.client, `${keyPrefix}lock:${context.namespace}:`);
    if (options.bus !== false) {
      const channel = (typeof options.bus === 'object' ? options.bus.channel : undefined) ?? `${keyPrefix}bus`;
      const heartbeatMs = typeof options.bus === 'object' ? options.bus.heartbeatMs : undefined;
      bus = new RedisBus({ client: redis.client, instanceId: context.instanceId, channel, heartbeatMs, signer: context.busSigner });
    }
  }
  let postgres: (RemoteSlot & { readonly tier: PostgresTier }) | undefined;
  if (options.postgres && !options.postgres.pool && !options.postgres.connectionString) {
    off.push({ tier: 'l3', reason: 'postgres has neither a connectionString nor a pool' });
  } else if (options.postgres) {
    const tier = new PostgresTier({ ...options.postgres, namespace: context.namespace, codec: context.codec });
    postgres = slot(tier) as RemoteSlot & { readonly tier: PostgresTier };
    remotes.push(postgres);
  }
  const memcached = buildMemcachedL2(options, context, postgres?.tier);
  if (memcached) {
    const l2 = slot(memcached.tier);
    remotes.unshift(l2);
    bus = memcached.bus;
    lock = lockedOutWhileOpen(memcached.lock, l2);
  }
  // Without a shared tier this process alone stamps tags, so its memo is the authority.
  const l1 = options.memory === false ? undefined : new MemoryTier({ ...options.memory, authoritativeTags: remotes.length === 0 });
  return { l1, remotes, redis, postgres, bus, lock, off };
}

/**
 * A lock call while L2's breaker is open would wait out the command timeout on a dead server for
 * every miss; refusing at once makes the engine load without the lock, as with Redis unreachable.
 */
function lockedOutWhileOpen(lock: KeyLock, l2: RemoteSlot): KeyLock {
  return {
    tryAcquire: (key, ttlMs) => (l2.breaker.state === 'open' ? Promise.reject(new Error('L2 breaker open: no miss lock')) : lock.tryAcquire(key, ttlMs)),
  };
}
