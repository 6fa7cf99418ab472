import type pg from 'pg';
import { quoteSchema } from '../tiers/postgres/postgres.schema.js';
import type { CachePolicy } from './policy.js';

/** A policy as stored: the policy, and who edited it when. */
export interface StoredPolicy extends CachePolicy {
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** A policy body before it has an id. */
export type PolicyBody = Omit<CachePolicy, 'id'>;

interface PolicyRow {
  id: string;
  match_prefix: string | null;
  match_tag: string | null;
  ttl: string | null;
  grace: string | null;
  tiers: string[] | null;
  disabled: boolean;
  note: string | null;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
}

/** Two policies of a namespace would match the same prefix or tag. */
export class DuplicatePolicyMatchError extends Error {
  constructor(readonly field: 'match.prefix' | 'match.tag') {
    super(`${field} already has a policy in this namespace`);
  }
}

/** `cache_policies` does not exist in the schema. */
export class MissingPolicyTableError extends Error {
  constructor(readonly table: string) {
    super(`${table} does not exist: create it with the SQL of policiesSchemaSql(schema) in a migration`);
  }
}

const UNDEFINED_TABLE = '42P01';
const COLUMNS = 'id, match_prefix, match_tag, ttl, grace, tiers, disabled, note, created_at, updated_at, updated_by';
const UNIQUE_VIOLATION = '23505';

/**
 * `cache_policies` (created by `policiesSchemaSql`) for one namespace. Rows come back as the
 * table holds them, unchecked: the caller parses them (a row written by hand may be wrong).
 */
export class PostgresPolicyStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly namespace: string,
  ) {
    this.table = `${quoteSchema(schema)}.cache_policies`;
  }

  /** Every policy of the namespace, oldest first. */
  async list(): Promise<StoredPolicy[]> {
    try {
      const { rows } = await this.pool.query<PolicyRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE namespace = $1 ORDER BY id`, [this.namespace]);
      return rows.map(fromRow);
    } catch (error) {
      if ((error as { code?: string }).code === UNDEFINED_TABLE) throw new MissingPolicyTableError(this.table);
      throw error;
    }
  }

  async create(body: PolicyBody, who: string): Promise<StoredPolicy> {
    return this.write(
      `INSERT INTO ${this.table} (namespace, match_prefix, match_tag, ttl, grace, tiers, disabled, note, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [this.namespace, ...values(body), who],
      body,
    ) as Promise<StoredPolicy>;
  }

  /** @returns the policy as updated, or undefined when there is no policy `id`. */
  async update(id: string, body: PolicyBody, who: string): Promise<StoredPolicy | undefined> {
    return this.write(
      `UPDATE ${this.table} SET match_prefix = $3, match_tag = $4, ttl = $5, grace = $6, tiers = $7, disabled = $8, note = $9,
         updated_by = $10, updated_at = now()
       WHERE namespace = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [this.namespace, id, ...values(body), who],
      body,
    );
  }

  /** @returns whether there was such a policy. */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.table} WHERE namespace = $1 AND id = $2`, [this.namespace, id]);
    return (rowCount ?? 0) > 0;
  }

  private async write(sql: string, params: unknown[], body: PolicyBody): Promise<StoredPolicy | undefined> {
    try {
      const { rows } = await this.pool.query<PolicyRow>(sql, params);
      return rows[0] === undefined ? undefined : fromRow(rows[0]);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === UNIQUE_VIOLATION) throw new DuplicatePolicyMatchError(body.match.prefix !== undefined ? 'match.prefix' : 'match.tag');
      if (code === UNDEFINED_TABLE) throw new MissingPolicyTableError(this.table);
      throw error;
    }
  }
}

function values(body: PolicyBody): unknown[] {
  const duration = (value: PolicyBody['ttl']) => (value === undefined ? null : String(value));
  return [body.match.prefix ?? null, body.match.tag ?? null, duration(body.ttl), duration(body.grace), body.tiers ?? null, body.disabled === true, body.note ?? null];
}

/** Absent fields stay absent (not null), so that the row reads like the body that created it. */
function fromRow(row: PolicyRow): StoredPolicy {
  const policy: Record<string, unknown> = {
    id: String(row.id),
    match: row.match_prefix !== null ? { prefix: row.match_prefix } : { tag: row.match_tag },
  };
  if (row.ttl !== null) policy.ttl = durationOf(row.ttl);
  if (row.grace !== null) policy.grace = durationOf(row.grace);
  if (row.tiers !== null) policy.tiers = row.tiers;
  if (row.disabled) policy.disabled = true;
  if (row.note !== null) policy.note = row.note;
  return { ...(policy as unknown as CachePolicy), createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(), updatedBy: row.updated_by };
}

/** A duration written as a number comes back as one. */
function durationOf(text: string): string | number {
  return /^\d+$/.test(text) ? Number(text) : text;
}
