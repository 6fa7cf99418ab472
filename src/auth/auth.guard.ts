import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { ClientRequest } from '../http/client-address.js';
import { retryAfterTarget } from '../http/too-many-requests.js';
import { AuthFailureLimiter } from './auth-failure.limiter.js';
import type { AuthenticatedRequest, Role } from './auth.types.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { ROLES_KEY } from './roles.decorator.js';
import { InvalidTokenError } from './token.codec.js';
import { TokenService } from './token.service.js';

/**
 * Global guard: every route needs `Authorization: Bearer <jwt>` unless marked `@Public()`.
 * Sets `req.user = { sub, role }`, then enforces `@Roles(...)`. A client with too many failed
 * attempts gets 429 ({@link AuthFailureLimiter}).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly failures: AuthFailureLimiter,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest & ClientRequest>();
    this.failures.assertAllowed(request, retryAfterTarget(this.adapterHost, context));
    try {
      request.user = await this.tokens.verify(bearerToken(request.headers.authorization));
    } catch (error) {
      const refusal = error instanceof InvalidTokenError ? new UnauthorizedException(error.message) : error;
      if (refusal instanceof UnauthorizedException) this.failures.recordFailure(request);
      throw refusal;
    }

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(request.user.role)) {
      throw new ForbiddenException(`Requires role ${roles.join(' or ')}; the token has role ${request.user.role}`);
    }
    return true;
  }
}

function bearerToken(header: string | string[] | undefined): string {
  if (header === undefined) {
    throw new UnauthorizedException('Missing bearer token: send "Authorization: Bearer <token>"');
  }
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new UnauthorizedException('Malformed Authorization header: expected "Bearer <token>"');
  return match[1];
}
