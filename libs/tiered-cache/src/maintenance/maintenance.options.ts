import type { Duration } from '../core/duration.js';
import type { CleanupOptions } from './cache-cleaner.js';
import type { OpsStorageOptions } from './ops-store.js';

/** Options of {@link TieredCacheMaintenanceModule}. */
export interface TieredCacheMaintenanceOptions extends CleanupOptions, OpsStorageOptions {
  /**
   * How often cleanup runs. Default `'1h'`. `false` schedules nothing (`POST /admin/cache/cleanup`
   * still runs it). The library reads no environment variable: pass the app's setting here.
   */
  cleanupInterval?: Duration | false;
  /** Run the registered warmers once after start-up, without delaying it. Default `true`. */
  warmOnStart?: boolean;
}

/** Options that shape the module itself. */
export interface TieredCacheMaintenanceExtras {
  /** Registers the module globally, so the admin module and any provider can reach its services. Default `true`. */
  isGlobal?: boolean;
}
