import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CacheContextInterceptor } from './cache-context.interceptor.js';
import { TIERED_CACHE_MODULE_OPTIONS } from './tiered-cache.constants.js';
import type { TieredCacheModuleExtras, TieredCacheModuleOptions } from './tiered-cache-module.options.js';

export const {
  ConfigurableModuleClass: TieredCacheConfigurableModule,
  OPTIONS_TYPE: TIERED_CACHE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIERED_CACHE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TieredCacheModuleOptions>({ optionsInjectionToken: TIERED_CACHE_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTieredCacheOptions')
  .setExtras<TieredCacheModuleExtras>({ isGlobal: true, contextInterceptor: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      ...(extras.contextInterceptor ? [{ provide: APP_INTERCEPTOR, useClass: CacheContextInterceptor }] : []),
    ],
  }))
  .build();

/** What `TieredCacheModule.forRootAsync` accepts: `imports`, `inject`, `useFactory` (or `useClass` / `useExisting`), and the extras. */
export type TieredCacheModuleAsyncOptions = typeof TIERED_CACHE_ASYNC_OPTIONS_TYPE;
