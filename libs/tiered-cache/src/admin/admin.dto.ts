import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';

/**
 * Tags accepted by the admin API: a letter, digit or `_`, then up to 199 of letters, digits and
 * `_ . : - / @ # = +`. Examples: `product:42`, `expert_sessions`, `user:alice@example.com`.
 * (The engine itself accepts any tag without control characters; the admin API is stricter so
 * that what an operator types is unambiguous in logs and URLs.)
 */
export const ADMIN_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:\-/@#=+]{0,199}$/;
/** Most tags per `POST /invalidate`. */
export const MAX_TAGS_PER_CALL = 100;
/** Longest key (or key prefix) the admin API accepts, in characters. */
export const MAX_ADMIN_KEY_LENGTH = 1_024;
export const ENTRY_SORTS = ['hits', 'recent', 'size'] as const;
export type EntrySort = (typeof ENTRY_SORTS)[number];
export const CLEAR_SCOPES = ['namespace', 'all'] as const;
export type ClearScope = (typeof CLEAR_SCOPES)[number];

/** An optional integer query parameter within bounds, converted from its string form. */
function OptionalIntInRange(minimum: number, maximum: number, defaultValue: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minimum, maximum, default: defaultValue }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(minimum),
    Max(maximum),
  );
}

const TAG_MESSAGE = `each value in $property must match ${ADMIN_TAG_PATTERN} (letters, digits and _ . : - / @ # = +, at most 200 characters)`;

export class ListEntriesQuery {
  @ApiPropertyOptional({ description: 'Only entries carrying this tag', example: 'product:42', pattern: ADMIN_TAG_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(ADMIN_TAG_PATTERN, { message: `$property must match ${ADMIN_TAG_PATTERN}` })
  tag?: string;

  @ApiPropertyOptional({ description: 'Only keys starting with this text (matched literally; % and _ are not wildcards)', example: 'product:', maxLength: MAX_ADMIN_KEY_LENGTH })
  @IsOptional()
  @IsString()
  @Length(1, MAX_ADMIN_KEY_LENGTH)
  prefix?: string;

  @OptionalIntInRange(1, 1_000, 50)
  limit?: number;

  @ApiPropertyOptional({ enum: ENTRY_SORTS, default: 'recent', description: 'hits: most L3 hits first; recent: last accessed first; size: largest first' })
  @IsOptional()
  @IsIn(ENTRY_SORTS)
  sort?: EntrySort;
}

export class EntryKeyParams {
  @ApiProperty({ description: 'The cache key (URL-encoded), as the application passes it to the cache', maxLength: MAX_ADMIN_KEY_LENGTH })
  @IsString()
  @Length(1, MAX_ADMIN_KEY_LENGTH)
  key!: string;
}

export class InvalidateTagsBody {
  @ApiProperty({ type: [String], minItems: 1, maxItems: MAX_TAGS_PER_CALL, example: ['product:42', 'products'], description: `Tags matching ${ADMIN_TAG_PATTERN}` })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_TAGS_PER_CALL)
  @IsString({ each: true })
  @Matches(ADMIN_TAG_PATTERN, { each: true, message: TAG_MESSAGE })
  tags!: string[];
}

export class CleanupLogQuery {
  @OptionalIntInRange(1, 365, 7)
  days?: number;
}

export class AuditQuery {
  @OptionalIntInRange(1, 1_000, 100)
  limit?: number;
}

export class WarmBody {
  @ApiPropertyOptional({ type: [String], description: 'Warmers to run; all when omitted', maxItems: 100 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  names?: string[];
}

export class ClearCacheBody {
  @ApiPropertyOptional({ enum: CLEAR_SCOPES, default: 'namespace', description: "namespace: this cache's namespace in every tier and instance; all: every namespace in L2 and L3 too" })
  @IsOptional()
  @IsIn(CLEAR_SCOPES)
  scope?: ClearScope;

  @ApiPropertyOptional({ description: 'The confirmation token returned by the first call. Omit it to get one.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  token?: string;
}
