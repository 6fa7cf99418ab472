import { toMilliseconds, type Duration } from '../core/duration.js';
import { InvalidOptionError } from '../core/errors.js';

/** Option `trends` of the admin module: how often this instance writes its minutes. */
export interface TrendsOptions {
  /**
   * Time between two writes of the running minute to `cache_stats_minute`. Default `'10s'`; from
   * 10 ms to 1 minute. Shorter means fresher charts and more upserts (one per instance each time).
   */
  flushInterval?: Duration;
}

/** Option `trends` of the maintenance module: how long the scheduled cleanup keeps the history. */
export interface TrendsRetentionOptions {
  /** Minute rows older than this are deleted. Default `'24h'`; from 2 hours to 7 days. */
  minuteRetention?: Duration;
  /** Hour rows older than this are deleted. Default `'30d'`; from 1 day to 400 days. */
  hourRetention?: Duration;
}

export interface ResolvedTrendsRetention {
  readonly minuteRetentionMs: number;
  readonly hourRetentionMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function within(ms: number, name: string, min: number, max: number, unit: string): number {
  if (ms < min || ms > max) throw new InvalidOptionError(name, `must be from ${min / (unit === 'h' ? HOUR_MS : DAY_MS)}${unit} to ${max / DAY_MS}d, got ${ms} ms`);
  return ms;
}

/**
 * @throws InvalidOptionError naming `trends.flushInterval` when out of its bounds.
 */
export function resolveFlushInterval(options: TrendsOptions = {}): number {
  const ms = toMilliseconds(options.flushInterval ?? '10s', 'trends.flushInterval');
  if (ms < 10 || ms > 60_000) throw new InvalidOptionError('trends.flushInterval', `must be from 10 ms to 1 minute, got ${ms} ms`);
  return ms;
}

/**
 * Checks the retention bounds: the `/trends` ranges need 24 h of minutes at most and 30 days of
 * hours, and an hour is only rolled up while all its minutes are still kept.
 * @throws InvalidOptionError naming `trends.minuteRetention` or `trends.hourRetention`.
 */
export function resolveTrendsRetention(options: TrendsRetentionOptions = {}): ResolvedTrendsRetention {
  return {
    minuteRetentionMs: within(toMilliseconds(options.minuteRetention ?? '24h', 'trends.minuteRetention'), 'trends.minuteRetention', HOUR_MS * 2, 7 * DAY_MS, 'h'),
    hourRetentionMs: within(toMilliseconds(options.hourRetention ?? '30d', 'trends.hourRetention'), 'trends.hourRetention', DAY_MS, 400 * DAY_MS, 'd'),
  };
}
