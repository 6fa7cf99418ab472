import { InvalidKeyError, MissingScopeError } from '../core/errors.js';
import { cacheContextStorage } from './cache-context.js';
import type { CacheScope } from './cached.decorator.js';

/** First character of every key the Nest surface derives; user-built keys may not start with it. */
export const RESERVED_KEY_PREFIX = '~';

/**
 * Puts the principal in front of the key, URI-encoded so that it cannot contain the `:` that ends
 * it. With the reserved `~`, no unscoped key and no other principal's key can be the same string.
 * @throws MissingScopeError when the current cache context has no such principal.
 */
export function scopedKey(key: string, scope: CacheScope, target: string): string {
  return `${RESERVED_KEY_PREFIX}${scope}:${encodedPrincipal(scope, target)}:${key}`;
}

/**
 * The current context's principal for `scope`, URI-encoded so that it holds no `:`.
 * @throws MissingScopeError when there is none.
 */
export function encodedPrincipal(scope: CacheScope, target: string): string {
  const context = cacheContextStorage.getStore();
  const principal = scope === 'user' ? context?.userId : context?.tenantId;
  if (typeof principal !== 'string' || principal.length === 0) throw new MissingScopeError(scope, target);
  return encodeURIComponent(principal);
}

/**
 * Checks what a `key` function returned. The engine checks keys too, but a scoped key reaches it
 * with the principal in front, where `undefined` would have become the string "undefined".
 */
export function assertKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(key, 'a key function must return a non-empty string');
  return key;
}

/**
 * The key a user-built `key` function's result stands for: as is when unscoped (and then refused in
 * the reserved space), behind the principal when scoped. `@Cached` and `@CacheResponse` share it.
 */
export function userKey(key: unknown, scope: CacheScope | undefined, target: string): string {
  return scope === undefined ? assertUnreservedKey(key) : scopedKey(assertKey(key), scope, target);
}

/** Refuses a user-built key in the reserved space, where it could meet a scoped entry. */
export function assertUnreservedKey(key: unknown): string {
  if (assertKey(key).startsWith(RESERVED_KEY_PREFIX)) {
    throw new InvalidKeyError(key, `keys starting with '${RESERVED_KEY_PREFIX}' are reserved for scoped and Keyv entries`);
  }
  return key as string;
}
