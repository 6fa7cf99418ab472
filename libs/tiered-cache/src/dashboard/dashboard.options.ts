import type { Duration } from '../core/duration.js';

/** Options of {@link TieredCacheDashboardModule}. */
export interface TieredCacheDashboardOptions {
  /**
   * Where the page finds the admin REST API. Relative paths (the default, `admin/cache`) are put
   * after the app's global prefix, if it has one; a path starting with `/` is used as is.
   */
  apiPath?: string;
  /** How often the page refreshes on its own. Default `'30s'`; `0` turns auto-refresh off. */
  refreshInterval?: Duration;
  /** Page title. Default `Tiered Cache`. */
  title?: string;
}

/** Options that shape the module itself, so they cannot come from an async factory. */
export interface TieredCacheDashboardExtras {
  /** Route of the page. Default `admin/dashboard`; assets are served under `<path>/assets/`. */
  path?: string;
  /**
   * Decorators for the controller class. The page and its assets hold no data, so the app's auth
   * guard must let them through (e.g. `[Public()]`); the data calls carry the operator's token.
   */
  decorators?: ClassDecorator[];
}
