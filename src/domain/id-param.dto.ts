import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** The largest `integer` id PostgreSQL stores. */
export const MAX_INT_ID = 2_147_483_647;

/**
 * `/:id` route parameters. Validated by the global pipe like a body, so `/chats/abc` is a 400 that
 * names `id` ("id must be an integer number"), where `ParseIntPipe` would not name it.
 */
export class IdParamDto {
  @ApiProperty({ minimum: 1, maximum: MAX_INT_ID, example: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  readonly id!: number;
}
