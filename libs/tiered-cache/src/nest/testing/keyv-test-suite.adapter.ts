import { afterEach, beforeEach, expect, it } from '@jest/globals';

/**
 * `@keyv/test-suite` is written for vitest: it takes the vitest module and calls `test.it(name,
 * (t) => ...)` with `t.expect`. Under Jest a test function with a parameter is a `done` callback
 * test, so each one is wrapped in one without, handed Jest's `expect` as its context.
 */
export const jestAsVitest = {
  it: (name: string, fn: (context: { expect: typeof expect }) => unknown) => it(name, async () => void (await fn({ expect }))),
  beforeEach,
  afterEach,
};
