import { Get, NotImplementedException } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AdminAction } from './admin-audit.interceptor.js';
import { FleetHeartbeatService } from './fleet-heartbeat.service.js';
import type { FleetInstances, FleetSummary } from './fleet-status.js';
import { AdminApi } from './admin-api.decorator.js';

/**
 * The fleet view of the admin API, next to {@link TieredCacheAdminController} under the same
 * path and guard: every instance of the namespace, from the heartbeats they publish.
 */
@AdminApi()
export class TieredCacheFleetController {
  constructor(private readonly fleet: FleetHeartbeatService) {}

  @Get('instances')
  @AdminAction('instances', 'read')
  @ApiOperation({
    summary: 'Every instance of the namespace: id, version, started, last seen, breakers, bus, L1 size, hit ratios, and up or gone',
    description: 'From the heartbeats instances write (to Redis, else PostgreSQL) every `fleet.interval`; silent past `fleet.goneAfter` is `gone`, past `fleet.forgetAfter` no longer listed.',
  })
  instances(): Promise<FleetInstances> {
    this.requireFleet();
    return this.fleet.instances();
  }

  @Get('fleet')
  @AdminAction('fleet', 'read')
  @ApiOperation({ summary: 'The instances, the counters of cache.stats() summed over those up, and each instance\'s own counters' })
  summary(): Promise<FleetSummary> {
    this.requireFleet();
    return this.fleet.summary();
  }

  private requireFleet(): void {
    if (!this.fleet.options) throw new NotImplementedException('No fleet view: the admin module was registered with fleet: false');
  }
}
