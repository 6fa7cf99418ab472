import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { KEY_GROUP_SORTS, type KeyGroupSort, type SortOrder } from './key-group.report.js';
import type { KeyGroupKind } from './key-group.stats.js';

export const KEY_GROUP_KINDS: readonly KeyGroupKind[] = ['prefix', 'tag'];
export const SORT_ORDERS: readonly SortOrder[] = ['asc', 'desc'];

/** Query of `GET /admin/cache/groups`. */
export class KeyGroupsQuery {
  @ApiPropertyOptional({ enum: KEY_GROUP_KINDS, default: 'prefix', description: 'prefix: the key up to the separator (groups.depth segments); tag: each tag of the entry' })
  @IsOptional()
  @IsIn(KEY_GROUP_KINDS)
  by?: KeyGroupKind;

  @ApiPropertyOptional({ enum: KEY_GROUP_SORTS, default: 'reads', description: 'loadMs sorts by the mean loader time; bytes by the bytes written' })
  @IsOptional()
  @IsIn(KEY_GROUP_SORTS)
  sort?: KeyGroupSort;

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  order?: SortOrder;
}
