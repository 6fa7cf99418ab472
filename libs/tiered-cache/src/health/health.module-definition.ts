import { ConfigurableModuleBuilder } from '@nestjs/common';
import { controllerAt } from '../metrics/controller-at.js';
import { TIERED_CACHE_HEALTH_OPTIONS } from './health.constants.js';
import { TieredCacheHealthController } from './health.controller.js';
import type { TieredCacheHealthExtras, TieredCacheHealthOptions } from './health.options.js';

export const {
  ConfigurableModuleClass: TieredCacheHealthConfigurableModule,
  OPTIONS_TYPE: TIERED_CACHE_HEALTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIERED_CACHE_HEALTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TieredCacheHealthOptions>({ optionsInjectionToken: TIERED_CACHE_HEALTH_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTieredCacheHealthOptions')
  .setExtras<TieredCacheHealthExtras>({ path: 'health', controller: true, decorators: [] }, (definition, extras) => ({
    ...definition,
    controllers: extras.controller === false ? [] : [controllerAt(TieredCacheHealthController, extras.path ?? 'health', extras.decorators)],
  }))
  .build();
