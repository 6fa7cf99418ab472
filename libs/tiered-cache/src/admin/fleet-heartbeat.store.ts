import type { Redis } from 'ioredis';
import { scanPrefix } from '../tiers/redis/redis.scan.js';
import type { InstanceHeartbeat } from './fleet-status.js';

/** Where instances leave their heartbeats and read each other's. */
export interface FleetStore {
  /** Replaces this instance's heartbeat; it disappears by itself after `ttlMs`. */
  write(beat: InstanceHeartbeat, ttlMs: number): Promise<void>;
  /** Every heartbeat of the namespace still stored. */
  list(): Promise<InstanceHeartbeat[]>;
}

const SCAN_COUNT = 200;

/** The Redis key of an instance's heartbeat: `<prefix>fleet:<namespace>:<instanceId>`. */
export function heartbeatKey(prefix: string, namespace: string, instanceId: string): string {
  return `${prefix}fleet:${namespace}:${instanceId}`;
}

/**
 * Heartbeats as Redis strings of JSON with a TTL, one key per instance, so no instance has to
 * clean up after another: a stopped instance's key simply expires. Read with SCAN (never KEYS,
 * which blocks a shared Redis) and MGET; a fleet is tens of keys.
 */
export class RedisFleetStore implements FleetStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly namespace: string,
  ) {}

  async write(beat: InstanceHeartbeat, ttlMs: number): Promise<void> {
    await this.client.set(heartbeatKey(this.prefix, this.namespace, beat.instanceId), JSON.stringify(beat), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async list(): Promise<InstanceHeartbeat[]> {
    const keys = new Set<string>();
    for await (const batch of scanPrefix(this.client, heartbeatKey(this.prefix, this.namespace, ''), SCAN_COUNT)) {
      for (const key of batch) keys.add(key);
    }
    if (keys.size === 0) return [];
    const values = await this.client.mget(...keys);
    const beats: InstanceHeartbeat[] = [];
    for (const value of values) {
      const beat = parseHeartbeat(value);
      if (beat) beats.push(beat);
    }
    return beats;
  }
}

/** A stored heartbeat, or `undefined` for a key that expired between SCAN and MGET or holds something else. */
export function parseHeartbeat(value: string | null): InstanceHeartbeat | undefined {
  if (value === null) return undefined;
  try {
    const beat = JSON.parse(value) as Partial<InstanceHeartbeat> | null;
    if (!beat || typeof beat.instanceId !== 'string' || typeof beat.lastSeenAt !== 'string' || typeof beat.stats !== 'object') return undefined;
    return beat as InstanceHeartbeat;
  } catch {
    return undefined;
  }
}
