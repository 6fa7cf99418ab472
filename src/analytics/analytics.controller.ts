import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Roles } from '../auth/index.js';
import { AnalyticsService } from './analytics.service.js';
import { ProductPerformanceDto } from './product-performance.dto.js';
import { ProductPerformanceQueryDto } from './product-performance.query.dto.js';

/** `/analytics`: admin reports. */
@ApiTags('analytics')
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('product-performance')
  @Roles('admin')
  @ApiOperation({ summary: 'Per product: enrolled students, completion rate, average score, modules (admin, cached 15 min)' })
  @ApiOkResponse({ type: [ProductPerformanceDto] })
  @ApiBadRequestResponse({ description: 'clientId is not a positive integer' })
  productPerformance(@Query() query: ProductPerformanceQueryDto): Promise<ProductPerformanceDto[]> {
    return this.analytics.productPerformance(query.clientId);
  }
}
