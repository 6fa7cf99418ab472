import { InvalidOptionError } from './errors.js';

/** A duration: milliseconds as a number, or a string such as `'500ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`. */
export type Duration = number | string;

/**
 * The longest duration accepted: 10 years (3650 days). Far inside PostgreSQL's timestamptz range and
 * Redis' PEXPIREAT range, where a larger TTL would fail a write or leave a key with no expiry.
 */
export const MAX_DURATION_MS = 315_360_000_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

/**
 * Converts a {@link Duration} to milliseconds.
 * @param field names the option in the error message, so a typo points at its source.
 * @throws InvalidOptionError for negative, non-finite or unparseable values, and for values above
 * {@link MAX_DURATION_MS}.
 */
export function toMilliseconds(value: Duration, field = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidOptionError(field, `must be a non-negative finite number of milliseconds, got ${value}`);
    }
    return withinMaximum(value, field);
  }
  const match = typeof value === 'string' ? PATTERN.exec(value) : null;
  if (!match) {
    throw new InvalidOptionError(field, `must be milliseconds or a string like '30s', '5m', '1h', got ${JSON.stringify(value)}`);
  }
  return withinMaximum(Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']), field);
}

function withinMaximum(ms: number, field: string): number {
  if (ms > MAX_DURATION_MS) {
    throw new InvalidOptionError(field, `must be at most ${MAX_DURATION_MS} ms (3650 days), got ${ms}`);
  }
  return ms;
}
