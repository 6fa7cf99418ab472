import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { InvalidOptionError } from '../core/errors.js';
import { CacheResponseInterceptor } from './cache-response.interceptor.js';
import { CACHE_RESPONSE_METADATA, type CacheResponseMetadata, type CacheResponseOptions } from './cache-response.options.js';
import { staticCallOptions } from './call-options.js';

/**
 * Caches the response body of `GET` (and `HEAD`) handlers in the tiers, in front of the pipes and
 * the handler: a hit answers after the guards without validating or running anything else.
 * Concurrent requests for one entry run the handler once; a handler that throws caches nothing
 * (and, with `grace`, a stale body is served while it keeps failing).
 *
 * On a handler, or on a controller for all its `GET` handlers (a handler's own options win). Only
 * the body is cached, as returned by the handler: not for handlers that write the response
 * themselves (`@Res()`), streams, files or server-sent events. `@nestjs/cache-manager`'s
 * `CacheInterceptor` does the same job on one store and without tags or scopes.
 *
 * @throws InvalidOptionError where the class is defined, when `scope` is missing or unknown or a
 *   duration is malformed.
 * @example
 * ```ts
 * @Get(':id')
 * @CacheResponse({ scope: 'shared', ttl: '1m', tags: (req) => [`article:${req.params?.id}`] })
 * findOne(@Param('id') id: string) { ... }
 * ```
 */
export function CacheResponse(options: CacheResponseOptions): MethodDecorator & ClassDecorator {
  const scope: unknown = options?.scope;
  if (scope !== 'shared' && scope !== 'user' && scope !== 'tenant') {
    throw new InvalidOptionError('@CacheResponse().scope', `must be 'shared', 'user' or 'tenant', got ${JSON.stringify(scope)}`);
  }
  // Parsed here, so that bad durations fail where the class is defined.
  const metadata: CacheResponseMetadata = { options, call: staticCallOptions('@CacheResponse()', options) };
  return applyDecorators(SetMetadata(CACHE_RESPONSE_METADATA, metadata), UseInterceptors(CacheResponseInterceptor));
}
