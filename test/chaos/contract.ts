/**
 * Every window the judge allows, in one place. Each number cites the line of the docs that
 * grants it. The measured figures in the docs are p99s; a checker needs bounds, so each window is a
 * multiple of the documented target, loose enough for a loaded two-core machine and tight enough
 * that a lost message (healed only by the 1 min L1 cap) still shows.
 */

/**
 * Another instance's `delete` / `invalidateTags` / `clear` reaches this instance's L1 by the bus.
 * docs/consistency.md, promise 2: "L1 changes when the bus message lands" (measured p99
 * 6 ms in process, 19 ms across processes); the design target is p99 under 50 ms on loopback.
 * 10x the target.
 */
export const W_BUS_MS = 500;

/**
 * A committed SQL update reaches every instance through trigger, NOTIFY and LISTEN.
 * docs/consistency.md, promise 3: measured p99 46 ms; the design target is p99 under 100 ms.
 * 10x the target.
 */
export const W_DB_MS = 1_000;

/**
 * Another instance's `set`: no tier serves the old value once a set has resolved, except another
 * instance's L1 until the bus message lands (docs/consistency.md, promise 2: "every change is on
 * the bus: `set` too"). A finding here means "a set is not propagated to other L1s".
 */
export const W_SET_OTHER_INSTANCE_MS = W_BUS_MS;

/**
 * After a fault that makes Redis or PostgreSQL unreachable (cut, hang, restart) ends, other
 * instances may lag while they reconnect and the writer replays what it queued.
 * docs/consistency.md, "Per fault": after Redis is back the breaker closes within `openFor` (2 s)
 * and the replay and the sweep (every 1 s) apply what was missed; an instance that could not hear
 * the bus keeps L1 entries at most `blindL1Ttl` (1 s) after detecting it. So 2 s + 1 s, plus the
 * bus window.
 */
export const W_AFTER_OUTAGE_MS = 2_000 + 1_000 + W_BUS_MS;

/** The engine's per-call timeouts (defaults): Redis commands (tiers/redis/redis.tier.ts), PostgreSQL queries (tiers/postgres/postgres.tier.ts). */
export const REDIS_COMMAND_TIMEOUT_MS = 250;
export const PG_QUERY_TIMEOUT_MS = 500;

/**
 * A delay fault: messages arrive late by the proxy's delay, once per direction it crosses (the
 * publisher's command and the subscriber's push). A round trip slower than the call timeout is an
 * outage to the engine (calls fail, the breaker opens), so it gets the outage allowance on top.
 */
export const delayAllowanceMs = (delayMs: number, callTimeoutMs: number): number =>
  2 * delayMs + (2 * delayMs >= callTimeoutMs ? W_AFTER_OUTAGE_MS : W_BUS_MS);

/**
 * The same instance gets no window at all: docs/consistency.md, promise 1, "once `set()`,
 * `delete()`, `invalidateTags()` or `clear()` resolves, no tier on that instance serves what came
 * before", also during outages ("Per fault", the column for the instance that made the change).
 */
export const W_SAME_INSTANCE_MS = 0;

/**
 * Wall-clock skew injected per instance through the `now` option, and into PostgreSQL's
 * `cache_clock_micros()`. docs/consistency.md, promise 7: skew cannot make a stale entry
 * look fresh (tested at 30 s; we stay at 2 s so TTLs of 5 min are not disturbed).
 */
export const MAX_SKEW_MS = 2_000;

/**
 * An operation still unsettled after this long is a liveness finding: every remote call has a
 * timeout (Redis 250 ms, PostgreSQL 500 ms; docs/resilience.md), loaders take at most 50 ms.
 */
export const STUCK_OP_MS = 10_000;

/**
 * Error types a call may reject with: a loader's own error (passed through to its callers,
 * docs/consistency.md, promise 5), a tier error (should never escape, but is not wrong data), the
 * hard timeout. Anything else is a finding.
 */
export const EXPECTED_ERRORS: readonly string[] = ['LoaderError', 'TierUnavailableError', 'LoaderTimeoutError'];

/**
 * Child processes record on their own clocks (performance.timeOrigin + performance.now()). Their
 * offsets measured on this kind of machine stay under 0.1 ms; the multi-process judge treats two
 * moments less than this apart, in different processes, as unordered.
 */
export const CROSS_PROCESS_CLOCK_MS = 1;
