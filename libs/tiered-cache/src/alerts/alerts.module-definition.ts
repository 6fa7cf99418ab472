import { ConfigurableModuleBuilder } from '@nestjs/common';
import { controllerAt } from '../metrics/controller-at.js';
import { TieredCacheAlertsController } from './alerts.controller.js';
import type { TieredCacheAlertsExtras, TieredCacheAlertsOptions } from './alerts.options.js';

/** Token of the options as given; {@link TIERED_CACHE_ALERTS_OPTIONS} holds them validated. */
export const TIERED_CACHE_ALERTS_RAW_OPTIONS = Symbol('TIERED_CACHE_ALERTS_RAW_OPTIONS');

export const {
  ConfigurableModuleClass: TieredCacheAlertsConfigurableModule,
  OPTIONS_TYPE: TIERED_CACHE_ALERTS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIERED_CACHE_ALERTS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TieredCacheAlertsOptions>({ optionsInjectionToken: TIERED_CACHE_ALERTS_RAW_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTieredCacheAlertsOptions')
  .setExtras<TieredCacheAlertsExtras>({ path: 'admin/cache', decorators: [] }, (definition, extras) => ({
    ...definition,
    controllers: [controllerAt(TieredCacheAlertsController, extras.path ?? 'admin/cache', extras.decorators)],
  }))
  .build();
