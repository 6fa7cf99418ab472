import type { Duration } from '../core/duration.js';
import type { OpsStorageOptions } from '../maintenance/ops-store.js';
import type { KeyGroupUsageOptions } from '../policies/key-group-usage.js';
import type { SuggestionThresholds } from '../policies/policy-suggestions.js';
import type { ReportThresholds } from './cache-report.js';
import type { StatsHistoryOptions } from './stats-history.js';
import type { FleetOptions } from './fleet.options.js';
import type { KeyGroupOptions } from '../groups/key-group.options.js';
import type { TrendsOptions } from '../trends/trends.options.js';
import type { WriteBehindMonitor } from '../write-behind/write-behind.types.js';

/** The principal the app's auth guard put on `req.user`. */
export interface AdminPrincipal {
  readonly sub?: unknown;
  readonly role?: unknown;
  readonly [claim: string]: unknown;
}

/** Options of {@link TieredCacheAdminModule}. */
export interface TieredCacheAdminOptions extends OpsStorageOptions {
  /** Role (`req.user.role`) the admin API requires. Default `admin`. Ignored when `authorize` is set. */
  role?: string;
  /** Decides whether a principal may use the admin API, instead of the role check. */
  authorize?: (user: AdminPrincipal, request: unknown) => boolean | Promise<boolean>;
  /** How long a `POST /clear` confirmation token is valid. Default `'60s'`. */
  confirmationTtl?: Duration;
  /** Audit read-only calls too (GET). Default `false`: only actions that change something, and refusals. */
  auditReads?: boolean;
  /** Thresholds of `GET /report`. */
  report?: ReportThresholds;
  /**
   * Samples kept in memory for `GET /timeseries` (the dashboard's charts): one every `interval`
   * (default `'10s'`) for `retention` (default `'1h'`). `false` keeps none.
   */
  history?: StatsHistoryOptions | false;
  /** Heartbeats for `GET /instances` and `GET /fleet` (docs/fleet.md). `false`: none, and those answer 501. */
  fleet?: FleetOptions | false;
  /** Counters per key prefix and tag for `GET /groups` (docs/trends.md). `false`: none, and it answers 501. */
  groups?: KeyGroupOptions | false;
  /**
   * Per-minute rollups written to PostgreSQL for `GET /trends` (docs/trends.md). `false`, or no
   * PostgreSQL for the ops tables: none, and it answers 501.
   */
  trends?: TrendsOptions | false;
  /** A write-behind queue, shown in `GET /stats` as `writeBehind` (and on the dashboard). */
  writeBehind?: WriteBehindMonitor;
  /**
   * Runtime policies (docs/policies.md), in `cache_policies` next to the ops tables. `false`: none,
   * and `/policies` answers 501. `reloadInterval` (default `'30s'`) bounds how long an instance
   * that missed an announcement runs on an older set; `usage` bounds what is measured per key
   * group for the suggestions, `suggestions` sets their thresholds.
   */
  policies?: { reloadInterval?: Duration; usage?: KeyGroupUsageOptions; suggestions?: SuggestionThresholds } | false;
}

/** Options that shape the module itself, so they cannot come from an async factory. */
export interface TieredCacheAdminExtras {
  /** Route prefix. Default `admin/cache`. */
  path?: string;
  /** Extra decorators for the controller class (e.g. `ApiBearerAuth('my-scheme')`). */
  decorators?: ClassDecorator[];
}
