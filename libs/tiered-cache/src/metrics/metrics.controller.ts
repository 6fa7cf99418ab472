import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { TieredCacheMetrics } from './tiered-cache.metrics.js';

/** `GET /metrics`: Prometheus text exposition (version 0.0.4). */
@ApiTags('metrics')
@Controller('metrics')
@UseGuards(MetricsTokenGuard)
export class TieredCacheMetricsController {
  constructor(private readonly metrics: TieredCacheMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics of the cache and the Node.js process' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4' })
  @ApiUnauthorizedResponse({ description: 'A metrics token is configured and the request did not carry it' })
  scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
