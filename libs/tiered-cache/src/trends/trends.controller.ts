import { BadRequestException, Get, NotImplementedException, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation } from '@nestjs/swagger';
import { AdminAction } from '../admin/admin-audit.interceptor.js';
import { TrendsQuery } from './trends.dto.js';
import type { TrendSeries } from './trends.pg-store.js';
import { isTrendRange, TREND_RANGES } from './trends.range.js';
import { CacheTrends } from './trends.service.js';
import { AdminApi } from '../admin/admin-api.decorator.js';

/** The stats history of the admin API, under the same path and guard as the rest of it. */
@AdminApi()
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
