/**
 * How long a run lasts: a fault-free phase, then a phase with faults. CI runs the fixed budget;
 * `npm run test:chaos -- --minutes N` sets CHAOS_MINUTES (test/chaos/run.mjs) for a longer run.
 */
export interface Budget {
  readonly calmMs: number;
  readonly faultMs: number;
}

export function budget(ciSeconds: number): Budget {
  const minutes = Number(process.env.CHAOS_MINUTES ?? '');
  const totalMs = Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : ciSeconds * 1_000;
  // A third without faults: violations found there need no fault to explain them.
  return { calmMs: Math.round(totalMs / 3), faultMs: Math.round((totalMs * 2) / 3) };
}
