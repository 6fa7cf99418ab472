import { InvalidTagError } from './errors.js';

export const MAX_TAG_LENGTH = 200;
// Control characters are reserved: the Redis tier joins tags with U+001F.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Validates and de-duplicates tags. Returns a frozen array; the empty case is shared. */
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
}

export const NO_TAGS: readonly string[] = Object.freeze([]);
