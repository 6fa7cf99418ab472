import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { TieredCacheAlertsAccessGuard } from './alerts-access.guard.js';
import { CacheAlertsService, type AlertsReport } from './cache-alerts.service.js';

/** `GET /admin/cache/alerts`: this instance's firing, pending and resolved alerts. */
@ApiTags('cache admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No authenticated user' })
@ApiForbiddenResponse({ description: 'The user is not a cache administrator' })
@Controller('admin/cache')
@UseGuards(TieredCacheAlertsAccessGuard)
export class TieredCacheAlertsController {
  constructor(private readonly alerts: CacheAlertsService) {}

  @Get('alerts')
  @ApiOperation({ summary: 'Alerts evaluated on this instance: firing, pending and resolved, with since-when' })
  @ApiOkResponse({ description: 'Firing first, then pending, then resolved (newest first)' })
  list(): AlertsReport {
    return this.alerts.report();
  }
}
