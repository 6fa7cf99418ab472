import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable, type Subscription } from 'rxjs';
import { cacheContextStorage, type CacheContext } from './cache-context.js';
import { defaultPrincipalResolver, type PrincipalResolver } from './principal.resolver.js';
import type { TieredCacheModuleOptions } from './tiered-cache-module.options.js';
import { TIERED_CACHE_MODULE_OPTIONS } from './tiered-cache.constants.js';

const NO_PRINCIPAL: CacheContext = Object.freeze({});

/**
 * Runs each handler inside the cache context of its principal. Interceptors run after guards, so
 * the principal an auth guard put on the request is already there.
 */
@Injectable()
export class CacheContextInterceptor implements NestInterceptor {
  private readonly resolve: PrincipalResolver;

  constructor(@Inject(TIERED_CACHE_MODULE_OPTIONS) options: TieredCacheModuleOptions) {
    this.resolve = options.principal ?? defaultPrincipalResolver;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const resolved = this.resolve(context.getArgByIndex(0), context);
    if (!(resolved instanceof Promise)) return runInContext(resolved ?? NO_PRINCIPAL, next);
    return new Observable((subscriber) => {
      let inner: Subscription | undefined;
      resolved.then(
        (principal) => {
          if (!subscriber.closed) inner = runInContext(principal ?? NO_PRINCIPAL, next).subscribe(subscriber);
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => inner?.unsubscribe();
    });
  }
}

/**
 * `next.handle()` binds the handler to the async context it is called in, so it must be called
 * inside `run`, not only subscribed there.
 */
function runInContext(principal: CacheContext, next: CallHandler): Observable<unknown> {
  return new Observable((subscriber) => cacheContextStorage.run(principal, () => next.handle().subscribe(subscriber)));
}
