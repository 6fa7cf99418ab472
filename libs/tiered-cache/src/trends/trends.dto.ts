import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { TREND_RANGES, type TrendRange } from './trends.range.js';

/** Query of `GET /admin/cache/trends`. */
export class TrendsQuery {
  @ApiPropertyOptional({ enum: TREND_RANGES, default: '1h', description: '1h and 24h: one point a minute; 7d and 30d: one an hour' })
  @IsOptional()
  @IsIn(TREND_RANGES)
  range?: TrendRange;
}
