import { createHash } from 'node:crypto';

/** Points per server: 40 MD5 digests of 4 points each, as libketama does. */
const DIGESTS_PER_SERVER = 40;

/**
 * A consistent-hash ring in the libketama layout (MD5 of `server-i`, four 32-bit points per
 * digest), so that adding or losing one of N servers moves about 1/N of the keys, not nearly all
 * of them as `hash mod N` would.
 */
export class KetamaRing<T extends string = string> {
  private readonly points: Uint32Array;
  private readonly owners: T[];

  /** @throws Error when `servers` is empty or names a server twice. */
  constructor(servers: readonly T[]) {
    if (servers.length === 0) throw new Error('KetamaRing needs at least one server');
    if (new Set(servers).size !== servers.length) throw new Error(`KetamaRing: a server is listed twice in ${servers.join(', ')}`);
    const pairs: Array<[number, T]> = [];
    for (const server of servers) {
      for (let digestIndex = 0; digestIndex < DIGESTS_PER_SERVER; digestIndex++) {
        const digest = createHash('md5').update(`${server}-${digestIndex}`).digest();
        for (let part = 0; part < 4; part++) pairs.push([digest.readUInt32LE(part * 4), server]);
      }
    }
    // Ties broken by name, so that every process builds the same ring from the same list.
    pairs.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    this.points = Uint32Array.from(pairs, ([point]) => point);
    this.owners = pairs.map(([, server]) => server);
  }

  /** The server that owns `key`: the first point at or after the key's hash, wrapping around. */
  serverFor(key: string): T {
    const hash = createHash('md5').update(key).digest().readUInt32LE(0);
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.points[middle]! < hash) low = middle + 1;
      else high = middle;
    }
    return this.owners[low === this.points.length ? 0 : low]!;
  }
}
