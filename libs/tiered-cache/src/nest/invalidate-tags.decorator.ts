import { SetMetadata } from '@nestjs/common';
import type { AnyArguments, AnyResult } from './cached.decorator.js';

/** Tags to invalidate, fixed or computed from the arguments (as an array) and the result. */
export type InvalidateTagsSource<A extends unknown[] = AnyArguments, R = AnyResult> =
  | readonly string[]
  | ((args: A, result: R) => readonly string[]);

/** Metadata key under which {@link InvalidateTags} stores its tags on the method. */
export const INVALIDATE_TAGS_METADATA = 'tiered-cache:invalidate-tags';

/**
 * Invalidates `tags` once the method's promise resolves. If the method throws, nothing is
 * invalidated: a failed write has not changed the data the entries hold. The method resolves only
 * after the invalidation, so its caller never reads the old value afterwards.
 *
 * @example
 * ```ts
 * @InvalidateTags(([id]) => [`user:${id}`])
 * async renameUser(id: string, name: string): Promise<void> { ... }
 * ```
 */
export function InvalidateTags<A extends unknown[] = AnyArguments, R = AnyResult>(tags: InvalidateTagsSource<A, R>) {
  return <M extends (...args: A) => Promise<R>>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(INVALIDATE_TAGS_METADATA, tags)(target, propertyKey, descriptor);
  };
}
