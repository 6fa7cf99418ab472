import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import type { Role } from './auth.types.js';

export const ROLES_KEY = 'auth:roles';

/**
 * Restricts a route (or controller) to tokens whose `role` is one of `roles`; others get 403.
 * A method's `@Roles` replaces its controller's.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), ApiForbiddenResponse({ description: `Requires role ${roles.join(' or ')}` }));
