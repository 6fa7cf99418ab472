import { applyDecorators, Controller, UseGuards, UseInterceptors, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminAuditInterceptor } from './admin-audit.interceptor.js';
import { TieredCacheAdminGuard } from './admin.guard.js';

/**
 * What every controller of the admin API shares: the `/admin/cache` path (moved by the module's
 * `path`), the admin guard, the audit, the validation of bodies and queries (every problem named,
 * unknown fields refused) and the OpenAPI description of the guard's answers.
 */
export function AdminApi(): ClassDecorator {
  return applyDecorators(
    ApiTags('cache admin'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No authenticated user' }),
    ApiForbiddenResponse({ description: 'The user is not a cache administrator' }),
    Controller('admin/cache'),
    UseGuards(TieredCacheAdminGuard),
    UseInterceptors(AdminAuditInterceptor),
    UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false })),
  );
}
