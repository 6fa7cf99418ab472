import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_INT_ID } from '../domain/index.js';

/** Query of `GET /analytics/product-performance`. */
export class ProductPerformanceQueryDto {
  @ApiPropertyOptional({ description: 'Only the products of this client', example: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  readonly clientId?: number;
}
