import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CacheAdminAudit } from './admin-audit.service.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import type { AdminPrincipal, TieredCacheAdminOptions } from './admin.options.js';

interface AdminRequest {
  user?: AdminPrincipal;
  method?: string;
  originalUrl?: string;
  url?: string;
}

/**
 * Authorization of the admin API. Authentication is the app's: its guard runs first and sets
 * `req.user`. No `req.user`: 401. A principal without the admin role (or refused by `authorize`):
 * 403, and the refusal is audited.
 */
@Injectable()
export class TieredCacheAdminGuard implements CanActivate {
  constructor(
    @Inject(TIERED_CACHE_ADMIN_OPTIONS) private readonly options: TieredCacheAdminOptions,
    private readonly audit: CacheAdminAudit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const user = request.user;
    if (!user || typeof user !== 'object') {
      throw new UnauthorizedException('The cache admin API needs an authenticated user (no req.user was set)');
    }
    const role = this.options.role ?? 'admin';
    const allowed = this.options.authorize ? await this.options.authorize(user, request) : user.role === role;
    if (allowed) return true;
    await this.audit.record(principalName(user), 'denied', { method: request.method, path: request.originalUrl ?? request.url }, { status: 403 });
    throw new ForbiddenException(this.options.authorize ? 'Not allowed to use the cache admin API' : `The cache admin API requires role ${JSON.stringify(role)}`);
  }
}

/** Who, for the audit log: `req.user.sub`. */
export function principalName(user: AdminPrincipal | undefined): string {
  const sub = user?.sub;
  return typeof sub === 'string' || typeof sub === 'number' ? String(sub) : 'unknown';
}
