import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { CacheWarmerRegistry, warmerName } from './cache-warmers.js';
import { TIERED_CACHE_MAINTENANCE_OPTIONS } from './maintenance.constants.js';
import type { TieredCacheMaintenanceOptions } from './maintenance.options.js';

const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Registers `@CacheWarmer()` methods, and runs every warmer once after start-up. The start-up run
 * is started from a timer after bootstrap and never awaited, so it cannot delay readiness.
 */
@Injectable()
export class CacheWarmerExplorer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TieredCacheWarmers');
  private timer: NodeJS.Timeout | undefined;
  private startup: Promise<unknown> | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: CacheWarmerRegistry,
    @Inject(TIERED_CACHE_MAINTENANCE_OPTIONS) private readonly options: TieredCacheMaintenanceOptions,
  ) {}

  onModuleInit(): void {
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const name = warmerName(prototype, method);
        if (name === undefined) continue;
        this.registry.register(name, () => (instance[method] as () => unknown).call(instance));
      }
    }
  }

  onApplicationBootstrap(): void {
    if (this.options.warmOnStart === false || this.registry.names().length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startup = this.registry.run(undefined, 'startup').then(
        (run) => this.logger.log(`Start-up warm-up: ${run.loaded} entries from ${run.warmers.length} warmers in ${run.durationMs} ms`),
        (error: Error) => this.logger.error(`Start-up warm-up failed: ${error.message}`),
      );
    }, 0);
  }

  /** Lets a start-up run finish, but never holds shutdown longer than {@link SHUTDOWN_WAIT_MS}. */
  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.startup) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.startup, new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
