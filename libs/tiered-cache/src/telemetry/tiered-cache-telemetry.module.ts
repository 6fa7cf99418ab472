import { Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import type { TieredCacheTelemetryOptions } from './telemetry.options.js';
import { instrumentTieredCache } from './tiered-cache.telemetry.js';

const TELEMETRY_OPTIONS = Symbol('TieredCacheTelemetryOptions');

/**
 * Instruments the app's `TieredCache` (from `TieredCacheModule`) with {@link instrumentTieredCache}
 * as soon as the module is built, and removes the instrumentation on shutdown.
 *
 * ```ts
 * imports: [TieredCacheModule.forRoot({ ... }), TieredCacheTelemetryModule.forRoot()]
 * ```
 */
@Module({})
export class TieredCacheTelemetryModule implements OnModuleDestroy {
  private readonly uninstall: () => void;

  constructor(cache: TieredCache, @Inject(TELEMETRY_OPTIONS) options: TieredCacheTelemetryOptions) {
    // In the constructor, not onModuleInit: other providers' start-up calls are then traced too.
    this.uninstall = instrumentTieredCache(cache, options);
  }

  static forRoot(options: TieredCacheTelemetryOptions = {}): DynamicModule {
    return { module: TieredCacheTelemetryModule, providers: [{ provide: TELEMETRY_OPTIONS, useValue: options }] };
  }

  onModuleDestroy(): void {
    this.uninstall();
  }
}
