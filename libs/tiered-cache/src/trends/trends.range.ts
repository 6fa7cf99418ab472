/** The ranges `GET /admin/cache/trends` charts. */
export const TREND_RANGES = ['1h', '24h', '7d', '30d'] as const;
export type TrendRange = (typeof TREND_RANGES)[number];

/** How far back a range goes and how wide its points are. */
export interface TrendRangeSpec {
  readonly spanMs: number;
  /** `minute` for 1h and 24h (from `cache_stats_minute`), `hour` for 7d and 30d. */
  readonly resolution: 'minute' | 'hour';
  readonly stepMs: number;
}

const HOUR_MS = 3_600_000;

export const TREND_RANGE_SPECS: Record<TrendRange, TrendRangeSpec> = {
  '1h': { spanMs: HOUR_MS, resolution: 'minute', stepMs: 60_000 },
  '24h': { spanMs: 24 * HOUR_MS, resolution: 'minute', stepMs: 60_000 },
  '7d': { spanMs: 7 * 24 * HOUR_MS, resolution: 'hour', stepMs: HOUR_MS },
  '30d': { spanMs: 30 * 24 * HOUR_MS, resolution: 'hour', stepMs: HOUR_MS },
};

export function isTrendRange(value: unknown): value is TrendRange {
  return typeof value === 'string' && (TREND_RANGES as readonly string[]).includes(value);
}
