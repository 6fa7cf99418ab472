import { toMilliseconds, type Duration } from '../core/duration.js';
import { InvalidOptionError, InvalidTagError } from '../core/errors.js';
import { assertTag } from '../core/tags.js';
import { ALL_TIERS, type TierName } from '../tiers/tier.js';
import { POLICY_OVERRIDES, type CachePolicy, type PolicyMatch } from './policy.js';
import { InvalidPolicyError } from './policy.errors.js';

/** Longest key prefix a policy may match, in characters (the admin API's longest key). */
export const MAX_POLICY_PREFIX_LENGTH = 1_024;
export const MAX_POLICY_NOTE_LENGTH = 500;

type Fields = Record<string, unknown>;
const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a policy from outside (a table row, a request body, a file) and returns it typed.
 * @throws InvalidPolicyError naming the first field at fault.
 */
export function parsePolicy(input: unknown): CachePolicy {
  if (!isRecord(input)) throw new InvalidPolicyError('policy', 'must be an object');
  const id = input.id;
  if (typeof id !== 'string' || id.length === 0) throw new InvalidPolicyError('id', 'must be a non-empty string');
  const policy: { -readonly [K in keyof CachePolicy]: CachePolicy[K] } = { id, match: parseMatch(input.match) };
  if (input.ttl !== undefined && input.ttl !== null) policy.ttl = parseDuration(input.ttl, 'ttl', 1);
  if (input.grace !== undefined && input.grace !== null) policy.grace = parseDuration(input.grace, 'grace', 0);
  if (input.tiers !== undefined && input.tiers !== null) policy.tiers = parseTiers(input.tiers);
  if (input.disabled !== undefined && input.disabled !== null) {
    if (typeof input.disabled !== 'boolean') throw new InvalidPolicyError('disabled', 'must be true or false');
    policy.disabled = input.disabled;
  }
  if (input.note !== undefined && input.note !== null) {
    if (typeof input.note !== 'string' || input.note.length > MAX_POLICY_NOTE_LENGTH) {
      throw new InvalidPolicyError('note', `must be a string of at most ${MAX_POLICY_NOTE_LENGTH} characters`);
    }
    policy.note = input.note;
  }
  if (!POLICY_OVERRIDES.some((field) => policy[field] !== undefined && policy[field] !== false)) {
    throw new InvalidPolicyError('policy', `must override at least one of ${POLICY_OVERRIDES.join(', ')}`);
  }
  if (policy.disabled === true && (policy.ttl !== undefined || policy.grace !== undefined || policy.tiers !== undefined)) {
    // Nothing is cached for a disabled key, so a lifetime or tier list there says something false.
    throw new InvalidPolicyError('disabled', 'cannot be combined with ttl, grace or tiers');
  }
  return policy;
}

function parseMatch(match: unknown): PolicyMatch {
  if (!isRecord(match)) throw new InvalidPolicyError('match', 'must be an object with a prefix or a tag');
  const { prefix, tag } = match;
  const hasPrefix = prefix !== undefined && prefix !== null;
  const hasTag = tag !== undefined && tag !== null;
  if (hasPrefix && hasTag) throw new InvalidPolicyError('match', 'must have a prefix or a tag, not both');
  if (!hasPrefix && !hasTag) throw new InvalidPolicyError('match', 'must have a prefix or a tag');
  if (hasPrefix) {
    if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > MAX_POLICY_PREFIX_LENGTH) {
      throw new InvalidPolicyError('match.prefix', `must be a non-empty string of at most ${MAX_POLICY_PREFIX_LENGTH} characters`);
    }
    return { prefix };
  }
  try {
    assertTag(tag);
  } catch (error) {
    throw new InvalidPolicyError('match.tag', error instanceof InvalidTagError ? error.message : 'must be a tag');
  }
  return { tag };
}

function parseDuration(value: unknown, field: 'ttl' | 'grace', minimumMs: number): Duration {
  if (typeof value !== 'number' && typeof value !== 'string') throw new InvalidPolicyError(field, "must be milliseconds or a string like '30s', '5m'");
  let ms: number;
  try {
    ms = toMilliseconds(value, field);
  } catch (error) {
    throw new InvalidPolicyError(field, error instanceof InvalidOptionError ? error.message.replace(/^Invalid option '[^']*': /, '') : 'is not a duration');
  }
  if (ms < minimumMs) throw new InvalidPolicyError(field, `must be at least ${minimumMs} ms`);
  return value;
}

function parseTiers(value: unknown): readonly TierName[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidPolicyError('tiers', `must be a non-empty list of ${ALL_TIERS.join(', ')}`);
  for (const tier of value) {
    if (!ALL_TIERS.includes(tier as TierName)) throw new InvalidPolicyError('tiers', `has an unknown tier ${JSON.stringify(tier)} (known: ${ALL_TIERS.join(', ')})`);
  }
  if (new Set(value).size !== value.length) throw new InvalidPolicyError('tiers', 'lists a tier twice');
  return Object.freeze([...(value as TierName[])]);
}
