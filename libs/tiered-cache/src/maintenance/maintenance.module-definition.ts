import { ConfigurableModuleBuilder } from '@nestjs/common';
import { TIERED_CACHE_MAINTENANCE_OPTIONS } from './maintenance.constants.js';
import type { TieredCacheMaintenanceExtras, TieredCacheMaintenanceOptions } from './maintenance.options.js';

export const {
  ConfigurableModuleClass: TieredCacheMaintenanceConfigurableModule,
  OPTIONS_TYPE: TIERED_CACHE_MAINTENANCE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIERED_CACHE_MAINTENANCE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TieredCacheMaintenanceOptions>({ optionsInjectionToken: TIERED_CACHE_MAINTENANCE_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTieredCacheMaintenanceOptions')
  .setExtras<TieredCacheMaintenanceExtras>({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
