import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { MAX_INT_ID, PROGRESS_STATUSES, type ProgressStatus } from '../domain/index.js';

/**
 * Body of `POST /students/:id/module-progress`. Rules across fields (checked before anything is
 * written): `completed` means 100% and is the only status with a score; `not_started` means 0%.
 * `progressPercentage` defaults to what the status implies (0, or 100).
 */
export class RecordModuleProgressDto {
  @ApiProperty({ example: 12 })
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  readonly moduleId!: number;

  @ApiProperty({ enum: PROGRESS_STATUSES, example: 'in_progress' })
  @IsIn(PROGRESS_STATUSES)
  readonly status!: ProgressStatus;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, example: 40 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  readonly progressPercentage?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, example: 87.5, description: 'Only with status completed; two decimals' })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  readonly score?: number;
}
