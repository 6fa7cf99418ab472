// @ts-check
/** Number formats of the dashboard. `null`/`undefined` show as an em dash. */

const DASH = '—';
const integer = new Intl.NumberFormat('en-US');

/** @param {number | null | undefined} value */
export function count(value) {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : integer.format(value);
}

/** @param {number | null | undefined} ratio 0..1 */
export function percent(ratio, digits = 1) {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? DASH : `${(ratio * 100).toFixed(digits)} %`;
}

/** @param {number | null | undefined} value */
export function bytes(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return unit === 0 ? `${size} B` : `${size.toFixed(size < 10 ? 1 : 0)} ${units[unit]}`;
}

/** @param {number | null | undefined} value milliseconds */
export function millis(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (Number.isInteger(value) && value < 1000) return `${value} ms`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${value < 10 ? value.toFixed(2) : value.toFixed(value < 100 ? 1 : 0)} ms`;
}

/** @param {string | number | Date | null | undefined} value */
export function clock(value) {
  if (value === null || value === undefined) return DASH;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? DASH : date.toLocaleTimeString('en-GB', { hour12: false });
}

/** @param {string | null | undefined} value */
export function dateTime(value) {
  if (!value) return DASH;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return DASH;
  return `${date.toLocaleDateString('en-CA')} ${date.toLocaleTimeString('en-GB', { hour12: false })}`;
}

/**
 * "in 4 min", "12 s ago".
 * @param {string | null | undefined} value
 * @param {number} [now]
 */
export function relative(value, now = Date.now()) {
  if (!value) return DASH;
  const ms = new Date(value).getTime() - now;
  if (Number.isNaN(ms)) return DASH;
  const abs = Math.abs(ms);
  const text =
    abs < 1000 ? 'now' : abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${(abs / 3_600_000).toFixed(1)} h` : `${(abs / 86_400_000).toFixed(1)} d`;
  if (text === 'now') return text;
  return ms < 0 ? `${text} ago` : `in ${text}`;
}
