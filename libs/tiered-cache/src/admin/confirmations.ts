import { createHash, randomBytes } from 'node:crypto';
import type { OpsStore } from '../maintenance/ops-store.js';

export interface IssuedConfirmation {
  token: string;
  expiresAt: string;
}

/**
 * Single-use confirmation tokens of two-step actions. A token is bound to its action, its
 * parameters and the principal who asked; only its SHA-256 hash is stored.
 */
export interface ConfirmationStore {
  issue(action: string, params: Record<string, unknown>, requestedBy: string, ttlMs: number): Promise<IssuedConfirmation>;
  /** True once, for a token that matches, has not expired and was not used. */
  consume(token: string, action: string, params: Record<string, unknown>, requestedBy: string): Promise<boolean>;
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** In `cache_admin_confirmations`: any instance can confirm what another issued. Expiry by the database clock. */
export class PostgresConfirmationStore implements ConfirmationStore {
  constructor(private readonly store: OpsStore) {}

  async issue(action: string, params: Record<string, unknown>, requestedBy: string, ttlMs: number): Promise<IssuedConfirmation> {
    const token = newToken();
    const { rows } = await this.store.pool.query<{ expires_at: Date }>(
      `INSERT INTO ${this.store.s}.cache_admin_confirmations (token_hash, action, params, requested_by, expires_at)
       VALUES ($1, $2, $3::jsonb, $4, now() + make_interval(secs => $5)) RETURNING expires_at`,
      [hash(token), action, JSON.stringify(params), requestedBy, ttlMs / 1_000],
    );
    return { token, expiresAt: rows[0]!.expires_at.toISOString() };
  }

  async consume(token: string, action: string, params: Record<string, unknown>, requestedBy: string): Promise<boolean> {
    const result = await this.store.pool.query(
      `UPDATE ${this.store.s}.cache_admin_confirmations SET used_at = now()
       WHERE token_hash = $1 AND action = $2 AND params = $3::jsonb AND requested_by = $4
         AND used_at IS NULL AND expires_at > now()`,
      [hash(token), action, JSON.stringify(params), requestedBy],
    );
    return result.rowCount === 1;
  }
}

/** In process memory, when there is no PostgreSQL: confirm on the same instance. */
export class MemoryConfirmationStore implements ConfirmationStore {
  private readonly pending = new Map<string, { action: string; params: string; requestedBy: string; expiresAt: number }>();

  async issue(action: string, params: Record<string, unknown>, requestedBy: string, ttlMs: number): Promise<IssuedConfirmation> {
    const now = Date.now();
    for (const [key, entry] of this.pending) if (entry.expiresAt <= now) this.pending.delete(key);
    const token = newToken();
    const expiresAt = now + ttlMs;
    this.pending.set(hash(token), { action, params: JSON.stringify(params), requestedBy, expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  }

  async consume(token: string, action: string, params: Record<string, unknown>, requestedBy: string): Promise<boolean> {
    const key = hash(token);
    const entry = this.pending.get(key);
    if (!entry || entry.action !== action || entry.params !== JSON.stringify(params) || entry.requestedBy !== requestedBy) return false;
    this.pending.delete(key);
    return entry.expiresAt > Date.now();
  }
}
