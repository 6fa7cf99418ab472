import { Controller, Get, Header, Inject, NotFoundException, Param, Req, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { toMilliseconds } from '../core/duration.js';
import { DashboardAssets } from './dashboard-assets.js';
import { TIERED_CACHE_DASHBOARD_OPTIONS, TIERED_CACHE_DASHBOARD_PATH } from './dashboard.constants.js';
import type { TieredCacheDashboardOptions } from './dashboard.options.js';

/**
 * Everything the page loads is from this origin; it only talks to this origin; it cannot be framed.
 * No inline script or style: the page sets styles through the CSSOM only.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface PageRequest {
  originalUrl?: string;
  url?: string;
}

/**
 * Serves the dashboard page and its assets. They hold no data: the page asks the operator for an
 * admin token and the admin API checks it on every call. Not part of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('admin/dashboard')
export class TieredCacheDashboardController {
  private readonly refreshMs: number;

  constructor(
    private readonly assets: DashboardAssets,
    @Inject(TIERED_CACHE_DASHBOARD_OPTIONS) private readonly options: TieredCacheDashboardOptions,
    @Inject(TIERED_CACHE_DASHBOARD_PATH) private readonly path: string,
  ) {
    this.refreshMs = toMilliseconds(options.refreshInterval ?? '30s', 'refreshInterval');
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', DASHBOARD_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  page(@Req() request: PageRequest): string {
    const pathname = (request.originalUrl ?? request.url ?? `/${this.path}`).split('?')[0]!.replace(/\/+$/, '');
    // Whatever precedes the route (a global prefix) precedes the API too.
    const prefix = pathname.endsWith(`/${this.path}`) ? pathname.slice(0, -this.path.length - 1) : '';
    const apiPath = (this.options.apiPath ?? 'admin/cache').replace(/\/+$/, '');
    return this.assets.page({
      base: `${pathname}/`,
      api: apiPath.startsWith('/') ? apiPath : `${prefix}/${apiPath}`,
      refreshMs: this.refreshMs,
      title: this.options.title ?? 'Tiered Cache',
    });
  }

  @Get('assets/:file')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('file') file: string): StreamableFile {
    const asset = this.assets.asset(file);
    if (!asset) throw new NotFoundException(`No dashboard asset named ${JSON.stringify(file)}`);
    return new StreamableFile(asset.body, { type: asset.type, length: asset.body.length });
  }
}
