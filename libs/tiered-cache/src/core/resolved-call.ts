import type { TierName } from '../tiers/tier.js';
import { toMilliseconds } from './duration.js';
import { InvalidOptionError } from './errors.js';
import type { CacheCallOptions, TierTtl } from './options.js';
import type { RemoteSlot } from './remote-slot.js';
import { normalizeTags, NO_TAGS } from './tags.js';

/** Which tiers a call uses, and their lifetime caps. */
export interface TierSelection {
  readonly useL1: boolean;
  readonly remotes: readonly RemoteSlot[];
  readonly capsMs: Partial<Record<TierName, number>>;
}

/** Call options with defaults applied and durations parsed, once. */
export interface ResolvedCall<T> extends TierSelection {
  readonly ttlMs: number;
  readonly graceMs: number;
  readonly tags: readonly string[] | ((value: T) => readonly string[]);
  readonly softMs: number | undefined;
  readonly hardMs: number | undefined;
  readonly refreshAhead: number | undefined;
  readonly lock: { readonly ttlMs: number; readonly waitMs: number } | undefined;
  /**
   * Set when a runtime policy may match the tags computed from the value: given them, the call to
   * write with (this one or a policy's), or `null` to write nothing (docs/policies.md).
   */
  readonly atWrite?: (tags: readonly string[]) => ResolvedCall<T> | null;
}

/** What the cache offers every call: its tiers and cache-wide caps. */
export interface CallContext {
  readonly hasL1: boolean;
  readonly remotes: readonly RemoteSlot[];
  readonly capsMs: Partial<Record<TierName, number>>;
}

const DEFAULT_TTL_MS = 300_000;

/** Applies `base` (the cache defaults, already resolved) under `options`. */
export function resolveCall<T>(options: CacheCallOptions<T>, base: ResolvedCall<unknown> | undefined, context: CallContext): ResolvedCall<T> {
  const tiers = options.tiers;
  const ms = (value: CacheCallOptions['ttl'], field: string) => (value === undefined ? undefined : toMilliseconds(value, field));
  return {
    ttlMs: ms(options.ttl, 'ttl') ?? base?.ttlMs ?? DEFAULT_TTL_MS,
    graceMs: ms(options.grace, 'grace') ?? base?.graceMs ?? 0,
    tags: typeof options.tags === 'function' ? options.tags : options.tags ? normalizeTags(options.tags) : NO_TAGS,
    useL1: context.hasL1 && (tiers === undefined ? (base?.useL1 ?? true) : tiers.includes('l1')),
    remotes: tiers === undefined ? (base?.remotes ?? context.remotes) : context.remotes.filter((slot) => tiers.includes(slot.tier.name)),
    capsMs: options.tierTtl ? { ...context.capsMs, ...parseCaps(options.tierTtl) } : (base?.capsMs ?? context.capsMs),
    softMs: ms(options.softTimeout, 'softTimeout') ?? base?.softMs,
    hardMs: ms(options.hardTimeout, 'hardTimeout') ?? base?.hardMs,
    refreshAhead: checkFraction(options.refreshAhead) ?? base?.refreshAhead,
    lock: options.lock === false ? undefined : (resolveLock(options.lock) ?? base?.lock),
  };
}

export function parseCaps(caps: TierTtl): Partial<Record<TierName, number>> {
  const parsed: Partial<Record<TierName, number>> = {};
  for (const [tier, ttl] of Object.entries(caps) as Array<[TierName, TierTtl[TierName]]>) {
    if (ttl !== undefined) parsed[tier] = toMilliseconds(ttl, `tierTtl.${tier}`);
  }
  return parsed;
}

function checkFraction(fraction: number | undefined): number | undefined {
  if (fraction === undefined) return undefined;
  if (!(fraction > 0 && fraction < 1)) throw new InvalidOptionError('refreshAhead', `must be a fraction between 0 and 1, got ${fraction}`);
  return fraction;
}

function resolveLock(lock: CacheCallOptions['lock']): ResolvedCall<unknown>['lock'] {
  if (lock === undefined || lock === false) return undefined;
  const settings = lock === true ? {} : lock;
  return { ttlMs: toMilliseconds(settings.ttl ?? '10s', 'lock.ttl'), waitMs: toMilliseconds(settings.wait ?? '5s', 'lock.wait') };
}
