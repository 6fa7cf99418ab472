import type { CacheCallOptions } from '../core/options.js';
import type { ResolvedCall } from '../core/resolved-call.js';
import type { CachePolicy } from './policy.js';
import { InvalidPolicyError } from './policy.errors.js';
import { parsePolicy } from './policy.parse.js';

/** The calls' options a policy may replace. */
type Overrides = Pick<CacheCallOptions, 'ttl' | 'grace' | 'tiers'>;

/** A policy ready for the engine: what it matched, and the call options with its overrides applied. */
export class PolicyDecision {
  readonly disabled: boolean;
  private readonly overrides: Overrides;
  /** For calls without options: one object, so the engine resolves it once. */
  private readonly bare: CacheCallOptions;
  /** One merged object per options object, for the same reason (the engine caches by identity). */
  private readonly merged = new WeakMap<object, CacheCallOptions>();
  private readonly resolvedOver = new WeakMap<object, ResolvedCall<unknown>>();

  constructor(readonly policy: CachePolicy) {
    this.disabled = policy.disabled === true;
    const overrides: { -readonly [K in keyof Overrides]: Overrides[K] } = {};
    if (policy.ttl !== undefined) overrides.ttl = policy.ttl;
    if (policy.grace !== undefined) overrides.grace = policy.grace;
    if (policy.tiers !== undefined) overrides.tiers = policy.tiers;
    this.overrides = Object.freeze(overrides);
    this.bare = this.overrides;
  }

  /** A resolved call with this policy's fields over it, once per call (for the match at write time). */
  over<T>(call: ResolvedCall<T>, resolve: (overrides: CacheCallOptions<T>, base: ResolvedCall<T>) => ResolvedCall<T>): ResolvedCall<T> {
    let tuned = this.resolvedOver.get(call);
    if (tuned === undefined) {
      tuned = { ...resolve(this.overrides as CacheCallOptions<T>, call), tags: call.tags } as ResolvedCall<unknown>;
      this.resolvedOver.set(call, tuned);
    }
    return tuned as ResolvedCall<T>;
  }

  /** `options` with this policy's fields over the call's own. */
  apply<T>(options: CacheCallOptions<T> | undefined): CacheCallOptions<T> {
    if (options === undefined) return this.bare as CacheCallOptions<T>;
    let merged = this.merged.get(options);
    if (merged === undefined) {
      merged = Object.freeze({ ...options, ...this.overrides }) as CacheCallOptions;
      this.merged.set(options, merged);
    }
    return merged as CacheCallOptions<T>;
  }
}

/** Keys whose prefix lookup a set remembers. */
const MAX_REMEMBERED_KEYS = 10_000;
const NO_PREFIX = Symbol('no prefix policy');

/**
 * The policies in force, compiled for a cheap lookup on every call: prefixes in a map per prefix
 * length (longest first), with the outcome remembered per key; tags in a map. With no policies
 * a lookup is one comparison.
 *
 * Matching order: the longest prefix of the user key that has a policy; else the first of the
 * call's static tags (in the order the call lists them) that has one; else, for tags computed from
 * the value, the first of them with one, when the value is written (`PolicyBoard.atWrite`).
 */
export class PolicySet {
  /** No policies: every call runs with its own options. */
  static readonly EMPTY = new PolicySet([]);

  readonly size: number;
  private readonly byPrefix = new Map<string, PolicyDecision>();
  /** Distinct prefix lengths, longest first. */
  private readonly prefixLengths: readonly number[];
  private readonly byTag = new Map<string, PolicyDecision>();
  private readonly byKey = new Map<string, PolicyDecision | typeof NO_PREFIX>();

  private constructor(readonly policies: readonly CachePolicy[]) {
    this.size = policies.length;
    const lengths = new Set<number>();
    for (const policy of policies) {
      const decision = new PolicyDecision(policy);
      if (policy.match.prefix !== undefined) {
        if (this.byPrefix.has(policy.match.prefix)) throw new InvalidPolicyError('match.prefix', `${JSON.stringify(policy.match.prefix)} is matched by two policies`);
        this.byPrefix.set(policy.match.prefix, decision);
        lengths.add(policy.match.prefix.length);
      } else {
        if (this.byTag.has(policy.match.tag)) throw new InvalidPolicyError('match.tag', `${JSON.stringify(policy.match.tag)} is matched by two policies`);
        this.byTag.set(policy.match.tag, decision);
      }
    }
    this.prefixLengths = [...lengths].sort((a, b) => b - a);
  }

  /**
   * Checks every policy and compiles them.
   * @throws InvalidPolicyError for the first policy at fault, or two policies with one match.
   */
  static from(policies: readonly unknown[]): PolicySet {
    return policies.length === 0 ? PolicySet.EMPTY : new PolicySet(Object.freeze(policies.map((policy) => parsePolicy(policy))));
  }

  /** The policy for a call on `key` with these options, if any. Never throws. */
  match<T>(key: string, options: Pick<CacheCallOptions<T>, 'tags'> | undefined): PolicyDecision | undefined {
    if (this.size === 0) return undefined;
    if (this.prefixLengths.length > 0) {
      const found = this.prefixOf(key);
      if (found !== NO_PREFIX) return found;
    }
    const tags = options?.tags;
    if (this.byTag.size === 0 || tags === undefined || typeof tags === 'function') return undefined;
    return this.matchTags(tags);
  }

  /** Whether some policy matches by tag (then tags computed from a value are matched when it is written). */
  get hasTagPolicies(): boolean {
    return this.byTag.size > 0;
  }

  /** The policy of the first of `tags` that has one. */
  matchTags(tags: readonly string[]): PolicyDecision | undefined {
    for (const tag of tags) {
      const found = this.byTag.get(tag);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The prefix policy of `key`, remembered per key: one map lookup for a key seen before. */
  private prefixOf(key: string): PolicyDecision | typeof NO_PREFIX {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    let found: PolicyDecision | typeof NO_PREFIX = NO_PREFIX;
    for (const length of this.prefixLengths) {
      if (length > key.length) continue;
      const decision = this.byPrefix.get(length === key.length ? key : key.slice(0, length));
      if (decision !== undefined) {
        found = decision;
        break;
      }
    }
    // Bounded: a workload of ever new keys starts over rather than growing without end.
    if (this.byKey.size >= MAX_REMEMBERED_KEYS) this.byKey.clear();
    this.byKey.set(key, found);
    return found;
  }
}
