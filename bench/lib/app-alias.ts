import { register } from 'node:module';

/**
 * The reference app (`src/`) imports the library as the package `@tiered-cache/nestjs` (and its
 * subpaths), which Node would resolve to the package's own build. The bench compiles the library's
 * sources next to itself and imports them by relative path, so a resolve hook maps the package to
 * those compiled files (`dist/bench/libs/tiered-cache/src/...`): the app and the bench then share
 * one `TieredCache` class.
 *
 * ES modules are linked before they run, so nothing under `bench/` may import `src/` statically
 * from `run.ts`'s import graph: cases load the app with {@link loadReferenceApp}, which registers
 * the hook first. Files that import `src/` (`reference-app.ts`, `http-bench.module.ts`,
 * `interceptor-hit.ts`) are only ever imported that way.
 */
/** The package's subpaths and the compiled entry each maps to (the `exports` of libs/tiered-cache/package.json). */
const PACKAGE_ENTRIES: Record<string, string> = {
  '': 'index.js',
  '/core': 'engine.js',
  '/keyv': 'keyv.js',
  '/health': 'health/index.js',
  '/admin': 'admin/index.js',
  '/metrics': 'metrics/index.js',
  '/dashboard': 'dashboard/index.js',
  '/maintenance': 'maintenance/index.js',
  '/testing': 'testing.js',
  '/write-behind': 'write-behind/index.js',
};

let registered = false;

function registerAppAlias(): void {
  if (registered) return;
  registered = true;
  const source = (file: string) => new URL(`../../libs/tiered-cache/src/${file}`, import.meta.url).href;
  const targets: Record<string, string> = Object.fromEntries(
    Object.entries(PACKAGE_ENTRIES).map(([subpath, file]) => [`@tiered-cache/nestjs${subpath}`, source(file)]),
  );
  const hook = `
    const targets = ${JSON.stringify(targets)};
    export async function resolve(specifier, context, nextResolve) {
      return nextResolve(targets[specifier] ?? specifier, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/** The reference app's pieces the bench uses (see `reference-app.ts`), loaded after the alias hook. */
export async function loadReferenceApp(): Promise<typeof import('./reference-app.js')> {
  registerAppAlias();
  return import('./reference-app.js');
}
