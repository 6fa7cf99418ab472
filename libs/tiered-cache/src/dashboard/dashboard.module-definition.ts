import { ConfigurableModuleBuilder } from '@nestjs/common';
import { controllerAt } from '../metrics/controller-at.js';
import { TIERED_CACHE_DASHBOARD_OPTIONS, TIERED_CACHE_DASHBOARD_PATH } from './dashboard.constants.js';
import { TieredCacheDashboardController } from './dashboard.controller.js';
import type { TieredCacheDashboardExtras, TieredCacheDashboardOptions } from './dashboard.options.js';

const DEFAULT_PATH = 'admin/dashboard';

export const {
  ConfigurableModuleClass: TieredCacheDashboardConfigurableModule,
  OPTIONS_TYPE: TIERED_CACHE_DASHBOARD_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIERED_CACHE_DASHBOARD_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TieredCacheDashboardOptions>({ optionsInjectionToken: TIERED_CACHE_DASHBOARD_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTieredCacheDashboardOptions')
  .setExtras<TieredCacheDashboardExtras>({ path: DEFAULT_PATH, decorators: [] }, (definition, extras) => {
    const path = (extras.path ?? DEFAULT_PATH).replace(/^\/+|\/+$/g, '');
    return {
      ...definition,
      providers: [...(definition.providers ?? []), { provide: TIERED_CACHE_DASHBOARD_PATH, useValue: path }],
      controllers: [controllerAt(TieredCacheDashboardController, path, extras.decorators)],
    };
  })
  .build();
