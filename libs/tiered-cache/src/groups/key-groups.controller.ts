import { Get, NotImplementedException, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation } from '@nestjs/swagger';
import { AdminAction } from '../admin/admin-audit.interceptor.js';
import { FleetHeartbeatService } from '../admin/fleet-heartbeat.service.js';
import { KeyGroupsQuery } from './key-group.dto.js';
import { mergeGroupSnapshots, sortGroups, type KeyGroupReport } from './key-group.report.js';
import { CacheKeyGroups } from './key-group.service.js';
import { AdminApi } from '../admin/admin-api.decorator.js';

/** Per key group figures of the admin API, under the same path and guard as the rest of it. */
@AdminApi()
export class TieredCacheKeyGroupsController {
  constructor(
    private readonly groups: CacheKeyGroups,
    private readonly fleet: FleetHeartbeatService,
  ) {}

  @Get('groups')
  @AdminAction('groups', 'read')
  @ApiOperation({
    summary: 'Reads, hit ratio, loads, load time and bytes written per key prefix or tag, summed over the instances up',
    description: 'Each instance counts since it started and carries its 50 busiest groups of each kind in its heartbeat (docs/trends.md).',
  })
  @ApiBadRequestResponse({ description: 'by, sort or order is not one of the listed values; the message names it' })
  async list(@Query() query: KeyGroupsQuery): Promise<KeyGroupReport> {
    if (!this.groups.enabled) throw new NotImplementedException('No key groups: the admin module was registered with groups: false');
    const by = query.by ?? 'prefix';
    const sort = query.sort ?? 'reads';
    const order = query.order ?? 'desc';
    const { instances, snapshots } = await this.fleet.groupSnapshots();
    return { by, sort, order, instances, groups: sortGroups(mergeGroupSnapshots(snapshots, by), sort, order) };
  }
}
