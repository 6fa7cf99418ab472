import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { TieredCache } from '../core/tiered-cache.js';
import { CACHED_METADATA, type CachedOptions } from './cached.decorator.js';
import { CACHED_MANY_METADATA, type CachedManyOptions } from './cached-many.decorator.js';
import { wrapCachedManyMethod } from './cached-many-method.wrapper.js';
import { wrapCachedMethod, type AsyncMethod } from './cached-method.wrapper.js';
import { INVALIDATE_TAGS_METADATA, type InvalidateTagsSource } from './invalidate-tags.decorator.js';
import { wrapInvalidatingMethod } from './invalidating-method.wrapper.js';

type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** Marks a method this explorer installed, so an instance reachable twice is wrapped once. */
const WRAPPED = Symbol('tiered-cache:wrapped');

/**
 * Finds `@Cached`, `@CachedMany` and `@InvalidateTags` methods on every provider and replaces them, on the
 * instance, with wrappers bound to the module's {@link TieredCache}. Instances are wrapped rather
 * than prototypes so that each application uses its own cache, and the decorated class stays
 * usable without Nest.
 */
@Injectable()
export class CachedMethodsExplorer implements OnModuleInit {
  private readonly logger = new Logger('TieredCache');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly cache: TieredCache,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.isAlias) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        this.warnIfDecorated(wrapper);
        continue;
      }
      for (const instance of this.instancesOf(wrapper)) this.wrapInstance(instance);
    }
  }

  private instancesOf(wrapper: ProviderWrapper): object[] {
    const candidates: unknown[] = wrapper.isTransient
      ? wrapper.getStaticTransientInstances().map((holder) => holder?.instance)
      : [wrapper.instance];
    return candidates.filter((instance): instance is object => typeof instance === 'object' && instance !== null);
  }

  private wrapInstance(instance: object): void {
    const methods = instance as Record<string, AsyncMethod & { [WRAPPED]?: true }>;
    for (const name of this.decoratedMethodNames(Object.getPrototypeOf(instance) as object | null)) {
      const original = methods[name];
      if (typeof original !== 'function' || original[WRAPPED]) continue;
      const cached = Reflect.getMetadata(CACHED_METADATA, original) as CachedOptions | undefined;
      const cachedMany = Reflect.getMetadata(CACHED_MANY_METADATA, original) as CachedManyOptions | undefined;
      const invalidates = Reflect.getMetadata(INVALIDATE_TAGS_METADATA, original) as InvalidateTagsSource | undefined;
      if (cached === undefined && cachedMany === undefined && invalidates === undefined) continue;
      const target = `${instance.constructor.name}.${name}`;
      let method = original;
      if (cached !== undefined) method = wrapCachedMethod(this.cache, target, method, cached);
      else if (cachedMany !== undefined) method = wrapCachedManyMethod(this.cache, target, method, cachedMany);
      // Outermost, so that a method both cached and invalidating invalidates after its own call.
      if (invalidates !== undefined) method = wrapInvalidatingMethod(this.cache, method, invalidates);
      methods[name] = keepIdentity(method, original);
    }
  }

  /** A request-scoped provider has no instance at start-up: say so rather than silently not cache. */
  private warnIfDecorated(wrapper: ProviderWrapper): void {
    const type = wrapper.metatype as { prototype?: object } | null;
    for (const name of this.decoratedMethodNames(type?.prototype ?? null)) {
      this.logger.warn(`${String(wrapper.name)}.${name} is not wrapped: its provider is request-scoped, so @Cached/@InvalidateTags have no effect`);
    }
  }

  private decoratedMethodNames(prototype: object | null): string[] {
    if (prototype === null || prototype === Object.prototype) return [];
    const methods = prototype as Record<string, unknown>;
    return this.scanner.getAllMethodNames(prototype).filter((name) => {
      const method = methods[name];
      return (
        typeof method === 'function' &&
        (Reflect.hasMetadata(CACHED_METADATA, method) ||
          Reflect.hasMetadata(CACHED_MANY_METADATA, method) ||
          Reflect.hasMetadata(INVALIDATE_TAGS_METADATA, method))
      );
    });
  }
}

/** Other libraries read metadata and names from the method they find on the instance. */
function keepIdentity(wrapper: AsyncMethod, original: AsyncMethod): AsyncMethod & { [WRAPPED]: true } {
  for (const key of Reflect.getMetadataKeys(original) as unknown[]) {
    Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapper);
  }
  Object.defineProperty(wrapper, 'name', { value: original.name });
  return Object.assign(wrapper, { [WRAPPED]: true as const });
}
