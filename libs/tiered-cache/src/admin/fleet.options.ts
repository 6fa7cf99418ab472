import { InvalidOptionError } from '../core/errors.js';
import { toMilliseconds, type Duration } from '../core/duration.js';

/** Option `fleet` of the admin module: how instances announce themselves to each other. */
export interface FleetOptions {
  /** Time between two heartbeats of this instance. Default `'10s'`. At least 10 ms. */
  interval?: Duration;
  /**
   * An instance whose last heartbeat is older than this is listed as `gone`. Default three
   * intervals. Must be longer than `interval`, or a live instance would flicker between states.
   */
  goneAfter?: Duration;
  /**
   * An instance silent for longer than this is no longer listed (its heartbeat key expires then).
   * Default `'1h'`, and never less than `goneAfter`.
   */
  forgetAfter?: Duration;
}

/** {@link FleetOptions} in milliseconds, checked. */
export interface ResolvedFleetOptions {
  readonly intervalMs: number;
  readonly goneAfterMs: number;
  readonly forgetAfterMs: number;
}

const MIN_INTERVAL_MS = 10;
const DEFAULT_INTERVAL: Duration = '10s';
const DEFAULT_FORGET_AFTER_MS = 3_600_000;
const GONE_INTERVALS = 3;

/**
 * Converts and checks the fleet options, so that a bad value fails the app at start-up with the
 * option's name instead of producing a fleet list that lies.
 * @throws InvalidOptionError naming `fleet.interval`, `fleet.goneAfter` or `fleet.forgetAfter`.
 */
export function resolveFleetOptions(options: FleetOptions = {}): ResolvedFleetOptions {
  const intervalMs = toMilliseconds(options.interval ?? DEFAULT_INTERVAL, 'fleet.interval');
  if (intervalMs < MIN_INTERVAL_MS) throw new InvalidOptionError('fleet.interval', `must be at least ${MIN_INTERVAL_MS} ms, got ${intervalMs}`);
  const goneAfterMs = options.goneAfter === undefined ? intervalMs * GONE_INTERVALS : toMilliseconds(options.goneAfter, 'fleet.goneAfter');
  if (goneAfterMs <= intervalMs) {
    throw new InvalidOptionError('fleet.goneAfter', `must be longer than fleet.interval (${intervalMs} ms), got ${goneAfterMs} ms`);
  }
  const forgetAfterMs =
    options.forgetAfter === undefined ? Math.max(DEFAULT_FORGET_AFTER_MS, goneAfterMs) : toMilliseconds(options.forgetAfter, 'fleet.forgetAfter');
  if (forgetAfterMs < goneAfterMs) {
    throw new InvalidOptionError('fleet.forgetAfter', `must be at least fleet.goneAfter (${goneAfterMs} ms), got ${forgetAfterMs} ms`);
  }
  return { intervalMs, goneAfterMs, forgetAfterMs };
}
