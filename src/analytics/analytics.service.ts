import { Injectable } from '@nestjs/common';
import { Cached } from '@tiered-cache/nestjs';
import { DataSource } from 'typeorm';
import { clientTag, listTags, PRODUCT_PERFORMANCE_TAG } from '../domain/index.js';
import { PRODUCT_PERFORMANCE_SQL } from './analytics.queries.js';
import type { ProductPerformanceDto } from './product-performance.dto.js';

/** Reports over the learning data. */
@Injectable()
export class AnalyticsService {
  constructor(private readonly db: DataSource) {}

  /**
   * Per product (of one client, if given): enrolled students, completion rate, average score and
   * per-module figures. An aggregate over every progress row of those products, so it is cached
   * 15 minutes; the triggers on the progress, module and product tables invalidate it. Tags:
   * `product_performance` on every report, and `client:<id>` of the filter and of every product's
   * client, so progress of one client's students leaves other clients' reports cached.
   */
  @Cached<[number | undefined], ProductPerformanceDto[]>({
    key: (clientId) => `analytics:product-performance:${clientId ?? 'all'}`,
    ttl: '15m',
    tags: ([clientId], rows) => listTags(PRODUCT_PERFORMANCE_TAG, clientTag, clientId, rows.map((row) => row.clientId)),
  })
  async productPerformance(clientId?: number): Promise<ProductPerformanceDto[]> {
    return this.db.query(PRODUCT_PERFORMANCE_SQL, [clientId ?? null]);
  }
}
