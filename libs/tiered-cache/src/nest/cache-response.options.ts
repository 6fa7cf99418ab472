import type { CacheCallOptions } from '../core/options.js';
import type { CacheScope } from './cached.decorator.js';

/** The parts of an HTTP request a response key or tag function may read (Express and Fastify). */
export interface CacheableRequest {
  readonly method: string;
  /** Path and query string as the client sent them. */
  readonly url: string;
  readonly originalUrl?: string;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * Options of {@link CacheResponse}. Durations are milliseconds or strings such as `'30s'`, `'5m'`.
 */
export interface CacheResponseOptions extends Omit<CacheCallOptions<unknown>, 'tags'> {
  /**
   * Whose response an entry holds, and so who may receive it. Required, because a URL alone never
   * says whether the body depends on the caller:
   * - `'shared'`: one entry per URL, served to everyone (public or identical-for-all data);
   * - `'user'` / `'tenant'`: one entry per URL and principal of the cache context; a request
   *   without that principal fails with `MissingScopeError` instead of sharing an entry.
   */
  scope: 'shared' | CacheScope;
  /** Builds the key from the request. Default: the path and query string, as sent. */
  key?: (request: CacheableRequest) => string;
  /** Tags to invalidate the entry by; a function gets the request and the response body. */
  tags?: readonly string[] | ((request: CacheableRequest, body: unknown) => readonly string[]);
}

/** What {@link CacheResponse} stores on a handler or controller: its options, and the call options parsed from them once. */
export interface CacheResponseMetadata {
  readonly options: CacheResponseOptions;
  readonly call: CacheCallOptions | undefined;
}

/** Metadata key under which {@link CacheResponse} stores its {@link CacheResponseMetadata}. */
export const CACHE_RESPONSE_METADATA = 'tiered-cache:cache-response';
