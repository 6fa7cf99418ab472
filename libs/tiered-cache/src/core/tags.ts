import { InvalidTagError } from './errors.js';
import { isWellFormed } from './key-builder.js';

export const MAX_TAG_LENGTH = 200;
// Control characters are reserved: the Redis tier joins tags with U+001F, and U+0000 may be used
// as a separator anywhere, since no user tag contains it.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Validates and de-duplicates tags. Returns a frozen array; the empty case is shared.
 * @throws InvalidTagError naming the first unusable tag: not a string, empty, too long, with a
 * control character (U+0000 included) or a lone UTF-16 surrogate.
 */
export function normalizeTags(tags: readonly string[] | undefined): readonly string[] {
  if (!tags || tags.length === 0) return NO_TAGS;
  for (const tag of tags) assertTag(tag);
  return Object.freeze(tags.length === 1 ? [...tags] : [...new Set(tags)]);
}

export function assertTag(tag: unknown): asserts tag is string {
  if (typeof tag !== 'string') throw new InvalidTagError(tag, 'must be a string');
  if (tag.length === 0) throw new InvalidTagError(tag, 'must not be empty');
  if (tag.length > MAX_TAG_LENGTH) throw new InvalidTagError(tag, `must be at most ${MAX_TAG_LENGTH} characters`);
  if (CONTROL_CHARS.test(tag)) throw new InvalidTagError(tag, 'must not contain control characters');
  // Stored as UTF-8, a lone surrogate becomes U+FFFD: two different tags would share one clock.
  if (!isWellFormed(tag)) throw new InvalidTagError(tag, 'must not contain a lone UTF-16 surrogate');
}

export const NO_TAGS: readonly string[] = Object.freeze([]);
