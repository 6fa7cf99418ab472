import { BadRequestException, Controller, Get, NotImplementedException, Query, UseGuards, UseInterceptors, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminAction, AdminAuditInterceptor } from '../admin/admin-audit.interceptor.js';
import { TieredCacheAdminGuard } from '../admin/admin.guard.js';
import { TrendsQuery } from './trends.dto.js';
import type { TrendSeries } from './trends.pg-store.js';
import { isTrendRange, TREND_RANGES } from './trends.range.js';
import { CacheTrends } from './trends.service.js';

/** The stats history of the admin API, under the same path and guard as the rest of it. */
@ApiTags('cache admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No authenticated user' })
@ApiForbiddenResponse({ description: 'The user is not a cache administrator' })
@Controller('admin/cache')
@UseGuards(TieredCacheAdminGuard)
@UseInterceptors(AdminAuditInterceptor)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }))
export class TieredCacheTrendsController {
  constructor(private readonly trends: CacheTrends) {}

  @Get('trends')
  @AdminAction('trends', 'read')
  @ApiOperation({
    summary: 'Reads, hits per tier, errors, loads, load time and bytes written, summed over the fleet, per minute (1h, 24h) or hour (7d, 30d)',
    description: 'From `cache_stats_minute` and `cache_stats_hour` (docs/trends.md).',
  })
  @ApiBadRequestResponse({ description: 'range is not 1h, 24h, 7d or 30d' })
  series(@Query() query: TrendsQuery): Promise<TrendSeries> {
    const range = query.range ?? '1h';
    // Checked here too, for an app without a global ValidationPipe.
    if (!isTrendRange(range)) throw new BadRequestException([`range must be one of the following values: ${TREND_RANGES.join(', ')}`]);
    if (!this.trends.enabled) throw new NotImplementedException('No trends: no PostgreSQL for the ops tables, or the admin module was registered with trends: false');
    return this.trends.series(range);
  }
}
