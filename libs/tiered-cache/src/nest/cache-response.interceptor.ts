import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { CacheCallOptions } from '../core/options.js';
import { TieredCache } from '../core/tiered-cache.js';
import { CACHE_RESPONSE_METADATA, type CacheableRequest, type CacheResponseMetadata, type CacheResponseOptions } from './cache-response.options.js';
import { encodedPrincipal, RESERVED_KEY_PREFIX, userKey } from './scoped-key.js';

/** What one decorated handler needs per request, settled on its first request. */
interface CachedRoute {
  readonly keyOf: (request: CacheableRequest) => string;
  readonly tagsOf: ((request: CacheableRequest, body: unknown) => readonly string[]) | undefined;
  readonly call: CacheCallOptions | undefined;
}

const CACHEABLE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Requests already inside a cached call. A controller and its handler may both carry the decorator,
 * which applies the interceptor twice; the inner one must pass through, or it would wait on the
 * very load it runs in.
 */
const inFlight = new WeakSet<object>();

/**
 * Serves `@CacheResponse` handlers from the tiers. Applied by the decorator; other requests (not
 * HTTP, not `GET`/`HEAD`, no options) pass straight through.
 */
@Injectable()
export class CacheResponseInterceptor implements NestInterceptor {
  /** Per handler; `null` when neither the handler nor its controller is decorated. */
  private readonly routes = new WeakMap<object, CachedRoute | null>();

  constructor(
    private readonly cache: TieredCache,
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<CacheableRequest>();
    if (!CACHEABLE_METHODS.has(request.method) || inFlight.has(request)) return next.handle();
    const route = this.route(context);
    if (route === null) return next.handle();
    const key = route.keyOf(request);
    inFlight.add(request);
    let ran = false;
    // The handler runs only on a miss, inside the loader: a hit never reaches the pipes.
    const load = () => {
      ran = true;
      return lastValueFrom(next.handle(), { defaultValue: undefined });
    };
    const tagsOf = route.tagsOf;
    const options = tagsOf === undefined ? route.call : { ...route.call, tags: (body: unknown) => tagsOf(request, body) };
    const response: unknown = http.getResponse();
    return from(
      this.cache.getOrSet(key, load, options).then((body) => {
        // As CacheInterceptor does: HIT when this request's handler did not run.
        this.adapterHost.httpAdapter?.setHeader(response, 'X-Cache', ran ? 'MISS' : 'HIT');
        return body;
      }),
    );
  }

  private route(context: ExecutionContext): CachedRoute | null {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (route === undefined) {
      const controller = context.getClass();
      const metadata = this.reflector.getAllAndOverride<CacheResponseMetadata | undefined>(CACHE_RESPONSE_METADATA, [handler, controller]);
      route = metadata === undefined ? null : resolveRoute(`${controller.name}.${handler.name}`, metadata);
      this.routes.set(handler, route);
    }
    return route;
  }
}

function resolveRoute(target: string, { options, call }: CacheResponseMetadata): CachedRoute {
  const tags = options.tags;
  return { keyOf: keyFunction(target, options), tagsOf: typeof tags === 'function' ? tags : undefined, call };
}

/**
 * Default keys live in the reserved space: `~http:/path?query` when shared, `~http:user:<id>:/path`
 * per principal; a path starts with `/`, so the two never meet. A custom key is used as `@Cached`
 * uses one: as is when shared, behind the principal when scoped.
 */
function keyFunction(target: string, options: CacheResponseOptions): (request: CacheableRequest) => string {
  const scope = options.scope;
  const custom = options.key;
  const prefix = `${RESERVED_KEY_PREFIX}http:`;
  if (custom !== undefined) return (request) => userKey(custom(request), scope === 'shared' ? undefined : scope, target);
  const urlOf = (request: CacheableRequest) => request.originalUrl ?? request.url;
  if (scope === 'shared') return (request) => prefix + urlOf(request);
  return (request) => `${prefix}${scope}:${encodedPrincipal(scope, target)}:${urlOf(request)}`;
}
