import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TieredCacheAdminController } from '@tiered-cache/nestjs/admin';
import type { AuthenticatedRequest } from '../auth/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { clientAddress, type ClientRequest } from '../http/client-address.js';
import { FixedWindowCounter } from '../http/fixed-window.counter.js';
import { retryAfterTarget, tooManyRequests } from '../http/too-many-requests.js';

/**
 * Global guard limiting the cache admin API (`/admin/cache/*`) to `RATE_LIMIT_ADMIN` requests per
 * `RATE_LIMIT_ADMIN_WINDOW` per admin; more get 429 with `Retry-After`. Some admin calls scan every
 * tier (entries, reports, clear), so a script or a stolen token looping on them would load the
 * cache for everyone. Every other route passes untouched, health and metrics included.
 */
@Injectable()
export class AdminRateLimitGuard implements CanActivate {
  private readonly requests: FixedWindowCounter;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.requests = new FixedWindowCounter(config.http.admin);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http' || !isAdminController(context.getClass())) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & ClientRequest>();
    // The auth guard runs first and sets the user; the address is a fallback, never expected.
    const key = request.user ? `user:${request.user.sub}` : `address:${clientAddress(request)}`;
    const wait = this.requests.blockedFor(key);
    if (wait > 0) throw tooManyRequests(retryAfterTarget(this.adapterHost, context), 'Too many cache admin requests; retry later', wait);
    this.requests.hit(key);
    return true;
  }
}

/** The library mounts a subclass of its admin controller at the configured path. */
function isAdminController(controller: abstract new (...args: never[]) => unknown): boolean {
  return controller === TieredCacheAdminController || controller.prototype instanceof TieredCacheAdminController;
}
