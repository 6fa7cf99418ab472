import { register } from 'node:module';

/**
 * The reference app (`src/`) imports the library as `@app/tiered-cache`, a TypeScript path alias
 * that `npm run build` rewrites with tsc-alias but the bench's plain `tsc` leaves as is. Node
 * resolves it here instead: a resolve hook maps it to the compiled library next to the bench
 * (`dist/bench/libs/tiered-cache/src/index.js`), the same files the bench imports by relative path,
 * so the app and the bench share one `TieredCache` class.
 *
 * ES modules are linked before they run, so nothing under `bench/` may import `src/` statically
 * from `run.ts`'s import graph: cases load the app with {@link loadReferenceApp}, which registers
 * the hook first. Files that import `src/` (`reference-app.ts`, `http-bench.module.ts`,
 * `interceptor-hit.ts`) are only ever imported that way.
 */
let registered = false;

function registerAppAlias(): void {
  if (registered) return;
  registered = true;
  const target = new URL('../../libs/tiered-cache/src/index.js', import.meta.url).href;
  const hook = `
    export async function resolve(specifier, context, nextResolve) {
      return nextResolve(specifier === '@app/tiered-cache' ? ${JSON.stringify(target)} : specifier, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/** The reference app's pieces the bench uses (see `reference-app.ts`), loaded after the alias hook. */
export async function loadReferenceApp(): Promise<typeof import('./reference-app.js')> {
  registerAppAlias();
  return import('./reference-app.js');
}
