import { toMilliseconds } from '../core/duration.js';
import type { CacheCallOptions } from '../core/options.js';
import { normalizeTags } from '../core/tags.js';

/**
 * The call options handed to the engine on every call: one object, which the engine resolves once.
 * Durations are parsed here so that bad options fail at start-up, named as `${label}.ttl`.
 */
export function staticCallOptions(
  label: string,
  options: Omit<CacheCallOptions, 'tags'> & { tags?: unknown; key?: unknown; scope?: unknown },
): CacheCallOptions | undefined {
  const { key: _key, tags, scope: _scope, ...rest } = options;
  const call: CacheCallOptions = { ...rest };
  for (const field of ['ttl', 'grace', 'softTimeout', 'hardTimeout'] as const) {
    const value = call[field];
    if (value !== undefined) call[field] = toMilliseconds(value, `${label}.${field}`);
  }
  if (call.tiers !== undefined) call.tiers = [...call.tiers];
  if (Array.isArray(tags)) call.tags = normalizeTags(tags as string[]);
  return Object.keys(call).length === 0 ? undefined : call;
}
