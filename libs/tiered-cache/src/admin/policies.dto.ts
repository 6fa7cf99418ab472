import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { toMilliseconds, type Duration } from '../core/duration.js';
import { MAX_POLICY_NOTE_LENGTH, MAX_POLICY_PREFIX_LENGTH } from '../policies/policy.parse.js';
import { ALL_TIERS, type TierName } from '../tiers/tier.js';
import { ADMIN_TAG_PATTERN } from './admin.dto.js';

/** A duration the engine accepts, at least `minimumMs`: milliseconds, or `'500ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`. */
function IsDuration(minimumMs: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'number' && typeof value !== 'string') return false;
          try {
            return toMilliseconds(value) >= minimumMs;
          } catch {
            return false;
          }
        },
        defaultMessage: () => `$property must be a ${minimumMs > 0 ? 'positive' : 'non-negative'} duration: milliseconds, or a string like '30s', '5m', '2h' (at most 3650 days)`,
      },
    },
    options,
  );
}

const onlyOne = (other: 'prefix' | 'tag') => (match: PolicyMatchDto) => match[other] === undefined;

export class PolicyMatchDto {
  @ApiPropertyOptional({ description: 'Keys starting with this text (longest prefix wins)', example: 'report:', maxLength: MAX_POLICY_PREFIX_LENGTH })
  @ValidateIf(onlyOne('tag'))
  @IsString()
  @Length(1, MAX_POLICY_PREFIX_LENGTH)
  prefix?: string;

  @ApiPropertyOptional({ description: 'Calls listing this static tag (used when no prefix policy matches)', example: 'catalog', pattern: ADMIN_TAG_PATTERN.source })
  @ValidateIf((match: PolicyMatchDto) => match.tag !== undefined || match.prefix === undefined)
  @IsString()
  @Matches(ADMIN_TAG_PATTERN, { message: `$property must match ${ADMIN_TAG_PATTERN}` })
  tag?: string;
}

/** The body of `POST /policies` and `PUT /policies/:id`. */
export class PolicyBodyDto {
  @ApiProperty({ type: PolicyMatchDto, description: 'Exactly one of prefix and tag' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PolicyMatchDto)
  match!: PolicyMatchDto;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '30s', description: 'Replaces the ttl of the matched calls' })
  @IsOptional()
  @IsDuration(1)
  ttl?: Duration;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '5m', description: 'Replaces the grace of the matched calls' })
  @IsOptional()
  @IsDuration(0)
  grace?: Duration;

  @ApiPropertyOptional({ enum: ALL_TIERS, isArray: true, description: 'Replaces the tiers of the matched calls' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ALL_TIERS, { each: true, message: `$property must list only ${ALL_TIERS.join(', ')}` })
  tiers?: TierName[];

  @ApiPropertyOptional({ description: 'Caching off for the matched calls: the loader runs every time, nothing is read or written' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ maxLength: MAX_POLICY_NOTE_LENGTH, description: 'Why the policy exists' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_POLICY_NOTE_LENGTH)
  note?: string;
}

export class PolicyIdParams {
  @ApiProperty({ description: 'The policy id', example: '12' })
  @Matches(/^[1-9]\d{0,17}$/, { message: '$property must be a policy id (a positive integer)' })
  id!: string;
}
