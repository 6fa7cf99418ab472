import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';

export interface HeaderRequest {
  headers: Record<string, string | undefined>;
  user?: { sub?: unknown; tenant?: unknown };
}

/**
 * Stands in for a JWT guard in specs: it runs before interceptors and puts the principal named by
 * the `x-user` / `x-tenant` headers on the request (digits become a number, as a numeric `sub`).
 */
@Injectable()
export class HeaderAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<HeaderRequest>();
    const sub = req.headers['x-user'];
    if (sub !== undefined) req.user = { sub: /^\d+$/.test(sub) ? Number(sub) : sub, tenant: req.headers['x-tenant'] };
    return true;
  }
}
