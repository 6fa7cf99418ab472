import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min } from 'class-validator';
import { MAX_INT_ID } from '../domain/index.js';

/** Most ids one `GET /expert-sessions/by-ids` takes. */
export const MAX_IDS_PER_CALL = 100;

/** Query of `GET /expert-sessions/by-ids`: `ids=1,2,3`. */
export class ExpertSessionsByIdsQueryDto {
  @ApiProperty({ description: `Comma-separated session ids, 1 to ${MAX_IDS_PER_CALL}`, example: '1,2,3', type: String })
  // Kept as strings when not integers, so that the validators below name the field.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.split(',').map((part) => (/^\d+$/.test(part.trim()) ? Number(part.trim()) : part)) : value,
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IDS_PER_CALL)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_INT_ID, { each: true })
  readonly ids!: number[];
}
