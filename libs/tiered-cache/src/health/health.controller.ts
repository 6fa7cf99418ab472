import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MemoryHealthIndicator, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { TIERED_CACHE_HEALTH_OPTIONS } from './health.constants.js';
import type { TieredCacheHealthOptions } from './health.options.js';
import { SourceDatabaseHealthIndicator } from './source-database.health.js';
import { TieredCacheHealthIndicator } from './tiered-cache.health.js';

const GIB = 1024 * 1024 * 1024;

/**
 * Probes. `/health` and `/health/ready`: source database (503 when down), cache tiers, bus and
 * listener (degraded, still 200, when down), heap. `/health/live`: no checks.
 */
@ApiTags('health')
@Controller('health')
export class TieredCacheHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cache: TieredCacheHealthIndicator,
    private readonly source: SourceDatabaseHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    @Inject(TIERED_CACHE_HEALTH_OPTIONS) private readonly options: TieredCacheHealthOptions,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Full health: 503 only when the source database (or heap) is down; a cache tier down is "degraded" (200)' })
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.indicators());
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the same checks as /health' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.indicators());
  }

  @Get('live')
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP; checks nothing' })
  @ApiOkResponse({ schema: { example: { status: 'ok', info: {}, error: {}, details: {} } } })
  live(): HealthCheckResult {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  private indicators(): HealthIndicatorFunction[] {
    const { sourceCheck, sourceKey, timeoutMs, heapThresholdBytes, listener, writeBehind } = this.options;
    const indicators: HealthIndicatorFunction[] = [];
    if (sourceCheck) indicators.push(() => this.source.check(sourceKey ?? 'database', sourceCheck, timeoutMs));
    indicators.push(() => this.cache.checkTiers(), () => this.cache.checkBus());
    if (listener) indicators.push(() => this.cache.checkConnection(listener));
    if (writeBehind) indicators.push(() => this.cache.checkWriteBehind(writeBehind));
    if (heapThresholdBytes !== false) indicators.push(() => this.memory.checkHeap('memory_heap', heapThresholdBytes ?? GIB));
    return indicators;
  }
}
