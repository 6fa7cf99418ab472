import { Injectable, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';

/** Page width minus the viewport's: above 0 when a page scrolls sideways. */
export const HORIZONTAL_OVERFLOW = 'document.documentElement.scrollWidth - window.innerWidth';

/** The app's auth guard, reduced to one accepted bearer token: its holder is the admin `ops`. */
export function bearerGuard(token: string): Type<CanActivate> {
  @Injectable()
  class BearerGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
      if (request.headers.authorization === `Bearer ${token}`) request.user = { sub: 'ops', role: 'admin' };
      return true;
    }
  }
  return BearerGuard;
}
