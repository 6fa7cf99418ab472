import type pg from 'pg';
import type { OpsStore } from '../maintenance/ops-store.js';
import { parseHeartbeat, type FleetStore } from './fleet-heartbeat.store.js';
import type { InstanceHeartbeat } from './fleet-status.js';

/**
 * Heartbeats in PostgreSQL (`cache_fleet_instances`, created by `fleetSchemaSql`) for a cache
 * without Redis. One upsert per beat; expired rows of the namespace are deleted in the same
 * statement, so the table stays at about one row per live instance without a cleanup job.
 */
export class PostgresFleetStore implements FleetStore {
  private readonly pool: pg.Pool;
  private readonly table: string;

  constructor(
    store: OpsStore,
    private readonly namespace: string,
  ) {
    this.pool = store.pool;
    this.table = `${store.s}.cache_fleet_instances`;
  }

  async write(beat: InstanceHeartbeat, ttlMs: number): Promise<void> {
    await this.pool.query(
      `WITH gone AS (DELETE FROM ${this.table} WHERE namespace = $1 AND expires_at <= now() AND instance_id <> $2)
       INSERT INTO ${this.table} (namespace, instance_id, beat, last_seen_at, expires_at)
       VALUES ($1, $2, $3::jsonb, now(), now() + make_interval(secs => $4))
       ON CONFLICT (namespace, instance_id) DO UPDATE SET beat = EXCLUDED.beat, last_seen_at = EXCLUDED.last_seen_at, expires_at = EXCLUDED.expires_at`,
      [this.namespace, beat.instanceId, JSON.stringify(beat), Math.max(1, ttlMs) / 1_000],
    );
  }

  async list(): Promise<InstanceHeartbeat[]> {
    const { rows } = await this.pool.query<{ beat: string }>(
      `SELECT beat::text AS beat FROM ${this.table} WHERE namespace = $1 AND expires_at > now()`,
      [this.namespace],
    );
    return rows.map((row) => parseHeartbeat(row.beat)).filter((beat): beat is InstanceHeartbeat => beat !== undefined);
  }
}
