import { ConfigurableModuleBuilder } from '@nestjs/common';
import { controllerAt } from './controller-at.js';
import { TIERED_CACHE_METRICS_OPTIONS } from './metrics.constants.js';
import { TieredCacheMetricsController } from './metrics.controller.js';
import type { TieredCacheMetricsExtras, TieredCacheMetricsOptions } from './metrics.options.js';

export const {
  ConfigurableModuleClass: TieredCacheMetricsConfigurableModule,
  OPTIONS_TYPE: TIERED_CACHE_METRICS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIERED_CACHE_METRICS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TieredCacheMetricsOptions>({ optionsInjectionToken: TIERED_CACHE_METRICS_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTieredCacheMetricsOptions')
  .setExtras<TieredCacheMetricsExtras>({ path: 'metrics', controller: true, decorators: [] }, (definition, extras) => ({
    ...definition,
    controllers: extras.controller === false ? [] : [controllerAt(TieredCacheMetricsController, extras.path ?? 'metrics', extras.decorators)],
  }))
  .build();
