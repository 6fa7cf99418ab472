import { toMilliseconds, type Duration } from '../core/duration.js';
import type { TieredCache } from '../core/tiered-cache.js';
import { PolicySet } from './policy-set.js';

/** Where policies are read from (`PostgresPolicyStore`, or anything listing policy objects). */
export interface PolicySource {
  list(): Promise<readonly unknown[]>;
}

export interface PolicySyncOptions {
  /**
   * Reload this often even without an announcement, so that an instance which missed one (the bus
   * was down, no Redis at all) catches up. Default `'30s'`.
   */
  reloadInterval?: Duration;
  /** Told why a reload failed. Default: nothing. */
  onError?: (message: string) => void;
}

/** What an instance has in force, for the admin API and the dashboard. */
export interface PolicyStatus {
  /** Policies in force on this instance. */
  readonly inForce: number;
  /** When the last reload that reached the source finished (ISO), if any did. */
  readonly loadedAt: string | undefined;
  /** Why the last reload failed, if it did. */
  readonly error: string | undefined;
}

/**
 * Keeps a cache's policies in step with a source: loads them at start, again whenever another
 * instance announces an edit on the bus, and every `reloadInterval`.
 *
 * A source that cannot be read keeps the policies already in force (an outage of the database
 * must not change how the cache behaves). A source that holds an invalid policy puts none in
 * force, and says which one: half a policy set could mean anything.
 */
export class PolicySync {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<PolicyStatus> | undefined;
  private again = false;
  private state: PolicyStatus = { inForce: 0, loadedAt: undefined, error: undefined };

  constructor(
    private readonly cache: TieredCache,
    private readonly source: PolicySource,
    private readonly options: PolicySyncOptions = {},
  ) {
    this.intervalMs = toMilliseconds(options.reloadInterval ?? '30s', 'policies.reloadInterval');
  }

  /** Subscribes to announcements, starts the timer, and resolves after the first load. */
  start(): Promise<PolicyStatus> {
    this.unsubscribe ??= this.cache.onPoliciesAnnounced(() => void this.reload());
    if (this.timer === undefined && this.intervalMs > 0) {
      this.timer = setInterval(() => void this.reload(), this.intervalMs);
      this.timer.unref();
    }
    return this.reload();
  }

  status(): PolicyStatus {
    return this.state;
  }

  /**
   * Reads the source and puts what it holds in force. Never rejects. A call while one runs is
   * folded into one more run after it, so that an edit announced meanwhile is not missed.
   */
  reload(): Promise<PolicyStatus> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<PolicyStatus> => {
      do {
        this.again = false;
        await this.loadOnce();
      } while (this.again);
      return this.state;
    };
    const running = run().finally(() => {
      this.running = undefined;
    });
    this.running = running;
    return running;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async loadOnce(): Promise<void> {
    let rows: readonly unknown[];
    try {
      rows = await this.source.list();
    } catch (error) {
      this.fail(`policies not reloaded, the ${this.state.inForce} in force are kept: ${(error as Error).message}`);
      return;
    }
    const loadedAt = new Date().toISOString();
    let set: PolicySet;
    try {
      set = PolicySet.from(rows);
    } catch (error) {
      this.cache.setPolicies(PolicySet.EMPTY);
      this.state = { inForce: 0, loadedAt, error: '' };
      this.fail(`no policies in force: ${describe(rows, error)}`);
      return;
    }
    this.cache.setPolicies(set);
    this.state = { inForce: set.size, loadedAt, error: undefined };
  }

  private fail(message: string): void {
    this.state = { ...this.state, error: message };
    this.options.onError?.(message);
  }
}

/** The error, with the id of the first policy that fails on its own (a duplicate fails only in the set). */
function describe(rows: readonly unknown[], error: unknown): string {
  for (const row of rows) {
    try {
      PolicySet.from([row]);
    } catch {
      const id = (row as { id?: unknown } | null)?.id;
      return `policy ${typeof id === 'string' ? id : '?'}: ${(error as Error).message}`;
    }
  }
  return (error as Error).message;
}
