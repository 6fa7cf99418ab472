import { ConfigurableModuleBuilder } from '@nestjs/common';
import { controllerAt } from '../metrics/controller-at.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import { TieredCacheAdminController } from './admin.controller.js';
import { TieredCacheFleetController } from './fleet.controller.js';
import { TieredCacheKeyGroupsController } from '../groups/key-groups.controller.js';
import { TieredCacheTrendsController } from '../trends/trends.controller.js';
import { TieredCachePoliciesController } from './policies.controller.js';
import type { TieredCacheAdminExtras, TieredCacheAdminOptions } from './admin.options.js';

export const {
  ConfigurableModuleClass: TieredCacheAdminConfigurableModule,
  OPTIONS_TYPE: TIERED_CACHE_ADMIN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIERED_CACHE_ADMIN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TieredCacheAdminOptions>({ optionsInjectionToken: TIERED_CACHE_ADMIN_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTieredCacheAdminOptions')
  .setExtras<TieredCacheAdminExtras>({ path: 'admin/cache', decorators: [] }, (definition, extras) => ({
    ...definition,
    controllers: [TieredCacheAdminController, TieredCacheFleetController, TieredCacheTrendsController, TieredCacheKeyGroupsController, TieredCachePoliciesController].map(
      (controller) => controllerAt(controller, extras.path ?? 'admin/cache', extras.decorators),
    ),
  }))
  .build();
