import { Inject, Injectable, Logger } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import { resolveOpsStore, type OpsStore } from '../maintenance/ops-store.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import type { TieredCacheAdminOptions } from './admin.options.js';

export interface AuditEntry {
  id: number;
  at: string;
  who: string;
  action: string;
  params: unknown;
  result: unknown;
}

/** Longest JSON kept for `params` or `result`; larger values are replaced by their size. */
const MAX_JSON_CHARS = 4_000;
const SECRET_FIELDS = new Set(['token', 'authorization', 'password', 'secret']);

/**
 * Writes and reads `cache_audit_log`. Without PostgreSQL the trail goes to the application log.
 * A failed audit write is logged and does not fail the action (the cache must stay operable while
 * its database is down).
 */
@Injectable()
export class CacheAdminAudit {
  private readonly logger = new Logger('TieredCacheAudit');
  readonly store: OpsStore | undefined;

  constructor(cache: TieredCache, @Inject(TIERED_CACHE_ADMIN_OPTIONS) options: TieredCacheAdminOptions) {
    this.store = resolveOpsStore(cache, options);
  }

  async record(who: string, action: string, params: unknown, result: unknown): Promise<void> {
    const paramsJson = compactJson(params);
    const resultJson = compactJson(result);
    if (!this.store) {
      this.logger.log(`${who} ${action} ${paramsJson} -> ${resultJson}`);
      return;
    }
    try {
      await this.store.pool.query(
        `INSERT INTO ${this.store.s}.cache_audit_log (who, action, params, result) VALUES ($1, $2, $3::jsonb, $4::jsonb)`,
        [who, action, paramsJson, resultJson],
      );
    } catch (error) {
      this.logger.error(`Audit row not written (${(error as Error).message}): ${who} ${action} ${paramsJson} -> ${resultJson}`);
    }
  }

  /** The newest `limit` rows, newest first. */
  async list(limit: number): Promise<AuditEntry[] | undefined> {
    if (!this.store) return undefined;
    const { rows } = await this.store.pool.query<{ id: string; at: Date; who: string; action: string; params: unknown; result: unknown }>(
      `SELECT id, at, who, action, params, result FROM ${this.store.s}.cache_audit_log ORDER BY at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ id: Number(row.id), at: row.at.toISOString(), who: row.who, action: row.action, params: row.params, result: row.result }));
  }
}

/** JSON with secrets redacted, cut to a size summary when long. */
export function compactJson(value: unknown): string {
  const json = JSON.stringify(value ?? {}, (key, field: unknown) => (SECRET_FIELDS.has(key.toLowerCase()) && field !== undefined ? '[redacted]' : field));
  if (json === undefined) return '{}';
  return json.length <= MAX_JSON_CHARS ? json : JSON.stringify({ truncated: true, chars: json.length });
}
