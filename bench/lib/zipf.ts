/** A seeded PRNG (mulberry32): uniform in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Zipf-distributed ranks in [0, n): rank k is drawn with probability proportional to 1 / (k+1)^theta.
 * The generator of YCSB (`ZipfianGenerator`, after Gray et al., "Quickly generating billion-record
 * synthetic databases", SIGMOD 1994), whose default constant is the 0.99 of issue 6: O(n) set-up,
 * O(1) per draw. Rank 0 is the most popular; map ranks to keys through a shuffle so that
 * popularity does not follow the keys' order.
 */
export function zipfian(n: number, theta: number, random: () => number): () => number {
  if (!(n >= 2) || !(theta > 0 && theta < 1)) throw new RangeError(`zipfian: need n >= 2 and 0 < theta < 1, got ${n}, ${theta}`);
  let zetaN = 0;
  for (let i = 1; i <= n; i++) zetaN += 1 / Math.pow(i, theta);
  const zeta2 = 1 + 1 / Math.pow(2, theta);
  const alpha = 1 / (1 - theta);
  const eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta2 / zetaN);
  const second = 1 + Math.pow(0.5, theta);
  return () => {
    const u = random();
    const uz = u * zetaN;
    if (uz < 1) return 0;
    if (uz < second) return 1;
    return Math.min(n - 1, Math.floor(n * Math.pow(eta * u - eta + 1, alpha)));
  };
}

/** Fisher–Yates shuffle of `0 .. n-1` with `random`. */
export function shuffledRange(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}
