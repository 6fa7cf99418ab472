import { describe, expect, it } from '@jest/globals';
import { FixedWindowCounter } from './fixed-window.counter.js';

describe('FixedWindowCounter', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('blocks a key after `limit` events until its window ends, other keys unaffected', () => {
    const time = clock();
    const counter = new FixedWindowCounter({ limit: 3, windowMs: 10_000 }, 100, time.now);
    for (let i = 0; i < 3; i++) {
      expect(counter.blockedFor('a')).toBe(0);
      counter.hit('a');
    }
    expect(counter.blockedFor('a')).toBe(10_000);
    expect(counter.blockedFor('b')).toBe(0);
    time.advance(9_999);
    expect(counter.blockedFor('a')).toBe(1);
    time.advance(1);
    expect(counter.blockedFor('a')).toBe(0);
    counter.hit('a');
    expect(counter.blockedFor('a')).toBe(0);
  });

  it('keeps at most maxKeys keys, forgetting the least recently used', () => {
    const counter = new FixedWindowCounter({ limit: 1, windowMs: 60_000 }, 2);
    counter.hit('a');
    counter.hit('b');
    counter.hit('c');
    expect([counter.blockedFor('a'), counter.blockedFor('b') > 0, counter.blockedFor('c') > 0]).toEqual([0, true, true]);
  });
});
