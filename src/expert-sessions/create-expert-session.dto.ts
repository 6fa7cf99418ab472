import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Length, Max, MaxLength, Min } from 'class-validator';
import { MAX_INT_ID } from '../domain/index.js';

/** Body of `POST /expert-sessions`. Limits match the table's CHECK constraints. */
export class CreateExpertSessionDto {
  @ApiProperty({ example: 2 })
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  readonly productId!: number;

  @ApiProperty({ example: 'Negotiating Your First Offer', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  readonly title!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  readonly description?: string;

  @ApiProperty({ example: 'https://videos.example.com/expert-sessions/offer.mp4' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  readonly videoUrl!: string;

  @ApiProperty({ example: 2700, minimum: 1, maximum: 86_400 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  readonly videoDurationSeconds!: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  readonly isActive?: boolean;
}
