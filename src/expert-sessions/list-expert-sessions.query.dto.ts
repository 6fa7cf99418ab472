import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_INT_ID } from '../domain/index.js';

/** Query of `GET /expert-sessions`. */
export class ListExpertSessionsQueryDto {
  @ApiPropertyOptional({ description: 'Only the sessions of this product', example: 2 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  readonly productId?: number;
}
