import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException, NotImplementedException, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { fulfilsWithin } from '../core/fulfils-within.js';
import { TieredCache } from '../core/tiered-cache.js';
import { resolveOpsStore } from '../maintenance/ops-store.js';
import { InvalidPolicyError } from '../policies/policy.errors.js';
import { parsePolicy } from '../policies/policy.parse.js';
import { DuplicatePolicyMatchError, MissingPolicyTableError, PostgresPolicyStore, type PolicyBody, type StoredPolicy } from '../policies/policy.pg-store.js';
import { PolicySync, type PolicyStatus } from '../policies/policy-sync.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import type { TieredCacheAdminOptions } from './admin.options.js';

/** How long start-up waits for the first load of the policies. */
const FIRST_LOAD_WAIT_MS = 2_000;

/** `GET /policies`: the namespace's policies, and what this instance has in force. */
export interface PolicyListing {
  readonly policies: StoredPolicy[];
  readonly status: PolicyStatus & { readonly instanceId: string };
}

/**
 * Runtime policies of the cache's namespace (docs/policies.md): kept in `cache_policies` in the
 * ops tables' pool and schema, put in force on this instance at start, on every announcement
 * from another instance and every `policies.reloadInterval`. Edits reload here, then announce.
 * Without PostgreSQL, or with `policies: false`, there are none and the endpoints answer 501.
 */
@Injectable()
export class CachePoliciesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TieredCachePolicies');
  private readonly store: PostgresPolicyStore | undefined;
  private readonly sync: PolicySync | undefined;
  /** The last reload error logged: a table that stays missing is said once, not every reload. */
  private lastError: string | undefined;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_ADMIN_OPTIONS) options: TieredCacheAdminOptions,
  ) {
    const ops = options.policies === false ? undefined : resolveOpsStore(cache, options);
    if (ops === undefined) return;
    this.store = new PostgresPolicyStore(ops.pool, ops.schema, cache.namespace);
    this.sync = new PolicySync(cache, this.store, {
      reloadInterval: options.policies === false ? undefined : options.policies?.reloadInterval,
      onError: (message) => this.logOnce(message),
    });
  }

  /**
   * Waits for the first load, but not for long: a PostgreSQL that hangs must not hold up start-up.
   * The load goes on; until it lands the calls run with their own options.
   */
  async onModuleInit(): Promise<void> {
    if (this.sync !== undefined) await fulfilsWithin(this.sync.start(), FIRST_LOAD_WAIT_MS);
  }

  onModuleDestroy(): void {
    this.sync?.close();
  }

  async list(): Promise<PolicyListing> {
    const store = this.requireStore();
    let policies: StoredPolicy[];
    try {
      policies = await store.list();
    } catch (error) {
      if (error instanceof MissingPolicyTableError) throw new NotImplementedException(error.message);
      throw error;
    }
    return { policies, status: { ...this.sync!.status(), instanceId: this.cache.instanceId } };
  }

  async create(body: PolicyBody, who: string): Promise<StoredPolicy> {
    const created = await this.edit(() => this.requireStore().create(checked(body), who));
    return created!;
  }

  async update(id: string, body: PolicyBody, who: string): Promise<StoredPolicy> {
    const updated = await this.edit(() => this.requireStore().update(id, checked(body), who));
    if (updated === undefined) throw new NotFoundException(`No policy ${id} in namespace ${this.cache.namespace}`);
    return updated;
  }

  async delete(id: string): Promise<{ deleted: string }> {
    const deleted = await this.edit(() => this.requireStore().delete(id));
    if (!deleted) throw new NotFoundException(`No policy ${id} in namespace ${this.cache.namespace}`);
    return { deleted: id };
  }

  /** Writes, then puts the result in force here and tells the other instances. */
  private async edit<T>(write: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      if (error instanceof MissingPolicyTableError) throw new NotImplementedException(error.message);
      if (error instanceof DuplicatePolicyMatchError) throw new ConflictException({ statusCode: 409, error: 'Conflict', field: error.field, message: [`${error.field} already has a policy`] });
      throw error;
    }
    await this.sync!.reload();
    await this.cache.announcePolicies();
    return result;
  }

  private logOnce(message: string): void {
    if (message === this.lastError) return;
    this.lastError = message;
    this.logger.error(message);
  }

  private requireStore(): PostgresPolicyStore {
    if (this.store === undefined) throw new NotImplementedException('No runtime policies: they need PostgreSQL (the L3 pool or the admin module pool), and policies not false');
    return this.store;
  }
}

/** The engine's own rules over what the DTO checked (both prefix and tag, no override at all). */
function checked(body: PolicyBody): PolicyBody {
  try {
    const { id: _id, ...policy } = parsePolicy({ ...plain(body), id: 'new' });
    return policy;
  } catch (error) {
    if (error instanceof InvalidPolicyError) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', field: error.field, message: [`${error.field} ${error.problem}`] });
    throw error;
  }
}

/** The DTO instance as a plain object without the fields it left undefined. */
function plain(body: PolicyBody): Record<string, unknown> {
  const match = Object.fromEntries(Object.entries(body.match).filter(([, value]) => value !== undefined));
  return { ...Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)), match };
}
