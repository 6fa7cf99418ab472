import { toMilliseconds, type Duration } from '@tiered-cache/nestjs';
import { ConfigError } from './config.error.js';

/** The environment as the loaders read it (`process.env`, or a test's object). */
export type Env = Readonly<Record<string, string | undefined>>;

/** An empty variable counts as unset, so `FOO=` in a compose file does not mean "the empty string". */
export function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A whole number in `[min, max]`, or `fallback` when unset. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`, any case; undefined when unset. */
export function flag(env: Env, name: string): boolean | undefined {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got ${JSON.stringify(env[name])}`);
}

/** A number from 0 to 1 (`0.7`, or a percentage `70%`), or `fallback` when unset. */
export function ratio(env: Env, name: string, fallback: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const percent = raw.endsWith('%');
  const value = Number(percent ? raw.slice(0, -1) : raw) / (percent ? 100 : 1);
  if (!/^\d+(\.\d+)?%?$/.test(raw) || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(name, `must be a ratio from 0 to 1 (or 0% to 100%), got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Milliseconds or a duration such as `30s`, `5m`, `1h`; undefined when unset. */
export function duration(env: Env, name: string): Duration | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  try {
    toMilliseconds(raw, name);
  } catch {
    throw new ConfigError(name, `must be milliseconds or a duration like 30s, 5m, 1h, got ${JSON.stringify(raw)}`);
  }
  return raw;
}
