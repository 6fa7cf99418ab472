import { describe, expect, it } from '@jest/globals';
import { KetamaRing } from './ketama.ring.js';

const keys = Array.from({ length: 20_000 }, (_, index) => `key:${index}`);

describe('KetamaRing', () => {
  it('spreads keys over every server', () => {
    const ring = new KetamaRing(['a:1', 'b:1', 'c:1']);
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(ring.serverFor(key), (counts.get(ring.serverFor(key)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['a:1', 'b:1', 'c:1']);
    // 160 points per server keeps each share within a loose band around a third.
    for (const count of counts.values()) expect(count / keys.length).toBeGreaterThan(0.2);
  });

  it('moves only the keys of a removed server, and about 1/N of them when one is added', () => {
    const three = new KetamaRing(['a:1', 'b:1', 'c:1']);
    const two = new KetamaRing(['a:1', 'b:1']);
    const four = new KetamaRing(['a:1', 'b:1', 'c:1', 'd:1']);
    let movedOnAdd = 0;
    for (const key of keys) {
      const owner = three.serverFor(key);
      if (owner !== 'c:1') expect(two.serverFor(key)).toBe(owner);
      if (four.serverFor(key) !== owner) {
        expect(four.serverFor(key)).toBe('d:1');
        movedOnAdd++;
      }
    }
    expect(movedOnAdd / keys.length).toBeGreaterThan(0.1);
    expect(movedOnAdd / keys.length).toBeLessThan(0.45);
  });

  it('does not depend on the order servers are listed in', () => {
    const one = new KetamaRing(['a:1', 'b:1', 'c:1']);
    const other = new KetamaRing(['c:1', 'a:1', 'b:1']);
    for (const key of keys.slice(0, 2_000)) expect(other.serverFor(key)).toBe(one.serverFor(key));
  });

  it('refuses an empty or duplicated server list', () => {
    expect(() => new KetamaRing([])).toThrow('at least one server');
    expect(() => new KetamaRing(['a:1', 'a:1'])).toThrow('listed twice');
  });
});
