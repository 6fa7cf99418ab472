import { createHash } from 'node:crypto';
import { InvalidKeyError, InvalidOptionError } from './errors.js';

/** Keys longer than this many UTF-8 bytes are hashed. */
export const DEFAULT_MAX_KEY_BYTES = 200;
/** How much of a long key stays readable in front of its hash. */
const READABLE_PREFIX_CHARS = 64;
const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * False for a string with a lone UTF-16 surrogate: Redis, PostgreSQL and SHA-256 see its UTF-8
 * form, where each lone surrogate becomes U+FFFD, so two different strings would meet as one.
 * `String.prototype.isWellFormed` is in Node 20; the ES2023 lib the project compiles with lacks it.
 */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

export function assertNamespace(namespace: string): string {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new InvalidOptionError('namespace', `must match ${NAMESPACE_PATTERN}, got ${JSON.stringify(namespace)}`);
  }
  return namespace;
}

/**
 * Normalises user keys. Any non-empty string is a valid key, unicode included, except one with a
 * lone UTF-16 surrogate (it would share storage with other keys) or U+0000 (PostgreSQL text cannot
 * hold it, and every L3 call for the key would fail and count against the L3 breaker). A key longer than `maxKeyBytes`
 * becomes `<first 64 chars>#<sha256 hex>` (at most 321 bytes) so storage keys stay bounded and
 * still readable.
 * Keys are never used as patterns: tiers pass them as exact values (Redis keys, SQL parameters).
 */
export class KeyBuilder {
  constructor(private readonly maxKeyBytes = DEFAULT_MAX_KEY_BYTES) {
    if (!Number.isInteger(maxKeyBytes) || maxKeyBytes < 100) {
      throw new InvalidOptionError('maxKeyBytes', `must be an integer >= 100, got ${maxKeyBytes}`);
    }
  }

  /** @throws InvalidKeyError for an empty or non-string key, U+0000, or a lone surrogate. */
  build(key: string): string {
    if (typeof key !== 'string') throw new InvalidKeyError(key, 'must be a string');
    if (key.length === 0) throw new InvalidKeyError(key, 'must not be empty');
    if (key.includes('\u0000')) throw new InvalidKeyError(key, 'must not contain U+0000');
    if (!isWellFormed(key)) throw new InvalidKeyError(key, 'must not contain a lone UTF-16 surrogate');
    // Cheap bound first: a string of n UTF-16 units takes at most 3n UTF-8 bytes.
    if (key.length * 3 <= this.maxKeyBytes || Buffer.byteLength(key) <= this.maxKeyBytes) return key;
    const digest = createHash('sha256').update(key).digest('hex');
    return `${Array.from(key).slice(0, READABLE_PREFIX_CHARS).join('')}#${digest}`;
  }
}
