import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

/**
 * Body of `POST /expert-sessions/:id/progress`: how far the caller has watched. Progress never goes
 * back: the stored values are the maxima of what was reported. 90% or more counts as completed.
 */
export class RecordWatchProgressDto {
  @ApiProperty({ example: 1800, minimum: 0, maximum: 86_400 })
  @IsInt()
  @Min(0)
  @Max(86_400)
  readonly watchTimeSeconds!: number;

  @ApiProperty({ example: 60, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  readonly progressPercentage!: number;
}
