import { Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets.js';
import { TieredCacheDashboardConfigurableModule } from './dashboard.module-definition.js';

/**
 * The operators' web page for the admin REST API, at `GET /admin/dashboard`: overview cards,
 * charts of the last hour, entries, maintenance. Plain ES modules and CSS served by the app itself
 * (no CDN). The page is public; it asks for an admin JWT and sends it as a Bearer header on every
 * data call, so `TieredCacheAdminModule` (and its `GET /timeseries`) must be registered too.
 *
 * ```ts
 * imports: [TieredCacheAdminModule.forRoot({}), TieredCacheDashboardModule.forRoot({ decorators: [Public()] })]
 * ```
 */
@Module({ providers: [DashboardAssets] })
export class TieredCacheDashboardModule extends TieredCacheDashboardConfigurableModule {}
