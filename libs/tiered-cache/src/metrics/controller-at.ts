import { Controller, type Type } from '@nestjs/common';

/**
 * A subclass of `base` mounted at `path` with extra class decorators, so a library controller can be
 * placed and decorated (for example marked public for the app's auth guard) per registration,
 * without touching the shared class. Routes, guards and Swagger metadata are inherited.
 */
export function controllerAt<T extends Type>(base: T, path: string, decorators: readonly ClassDecorator[] = []): T {
  const mounted = { [base.name]: class extends base {} }[base.name]!;
  Controller(path)(mounted);
  for (const decorate of decorators) decorate(mounted);
  return mounted;
}
