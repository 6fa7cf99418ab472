import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest, Role } from './auth.types.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { ROLES_KEY } from './roles.decorator.js';
import { InvalidTokenError } from './token.codec.js';
import { TokenService } from './token.service.js';

/**
 * Global guard: every route needs `Authorization: Bearer <jwt>` unless marked `@Public()`.
 * Sets `req.user = { sub, role }`, then enforces `@Roles(...)`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    try {
      request.user = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthorizedException(error.message);
      throw error;
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
