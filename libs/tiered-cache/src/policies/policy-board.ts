import type { CacheCallOptions } from '../core/options.js';
import type { ResolvedCall } from '../core/resolved-call.js';
import { PolicySet } from './policy-set.js';

/** Applies options over a resolved call, as the engine resolves a call's options over its defaults. */
export type ResolveOver = <T>(overrides: CacheCallOptions<T>, base: ResolvedCall<T>) => ResolvedCall<T>;

/**
 * The engine's side of runtime policies: the set in force, the handlers to run when another
 * instance announces an edit, and the match at write time for tags computed from the value. Kept
 * out of the engine so that it only asks `set.match()` and `atWrite()`.
 */
export class PolicyBoard {
  private current: PolicySet = PolicySet.EMPTY;
  /** Calls given an `atWrite` under the current set, once per call. */
  private writeTimed = new WeakMap<object, ResolvedCall<unknown>>();
  private readonly handlers = new Set<() => void>();

  get set(): PolicySet {
    return this.current;
  }

  set set(set: PolicySet) {
    this.current = set;
    this.writeTimed = new WeakMap();
  }

  /**
   * `call`, or (when no policy matched it by key or static tag, its tags are computed from the
   * value, and some policy matches by tag) `call` with an `atWrite` that matches those tags.
   */
  atWrite<T>(matched: boolean, call: ResolvedCall<T>, resolve: ResolveOver): ResolvedCall<T> {
    const set = this.current;
    if (matched || typeof call.tags !== 'function' || !set.hasTagPolicies) return call;
    let timed = this.writeTimed.get(call);
    if (timed === undefined) {
      const atWrite = (tags: readonly string[]): ResolvedCall<T> | null => {
        const decision = set.matchTags(tags);
        if (decision === undefined) return call;
        return decision.disabled ? null : decision.over(call, resolve);
      };
      timed = { ...call, atWrite } as ResolvedCall<unknown>;
      this.writeTimed.set(call, timed);
    }
    return timed as ResolvedCall<T>;
  }

  onAnnounced(handler: () => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Runs every handler; one that throws does not keep the others (or the bus) from running. */
  announced(): void {
    for (const handler of this.handlers) {
      try {
        handler();
      } catch {
        // The handlers reload from the database and log their own failures.
      }
    }
  }
}
