import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest, Principal } from './auth.types.js';

/** Injects the verified {@link Principal} (`req.user`) into a handler parameter. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  // Only reachable on a @Public() route, where the guard does not authenticate.
  if (!user) throw new UnauthorizedException('This route is public, so no user is known');
  return user;
});
