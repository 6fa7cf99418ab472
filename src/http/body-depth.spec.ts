import { describe, expect, it } from '@jest/globals';
import { exceedsDepth } from './body-depth.js';

describe('exceedsDepth', () => {
  it('counts the top-level object or array as level 1, and scalars as no level', () => {
    expect(exceedsDepth('text', 0)).toBe(false);
    expect(exceedsDepth(undefined, 0)).toBe(false);
    expect(exceedsDepth({}, 1)).toBe(false);
    expect(exceedsDepth({}, 0)).toBe(true);
    expect(exceedsDepth({ a: [1, 2, { b: null }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: [1, 2, { b: null }] }, 2)).toBe(true);
  });

  it('finds one deep branch among wide shallow ones', () => {
    const wide = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, { x: i }]));
    expect(exceedsDepth({ ...wide, deep: [[[[1]]]] }, 4)).toBe(true);
    expect(exceedsDepth({ ...wide, deep: [[[1]]] }, 4)).toBe(false);
  });

  it('measures a body far deeper than the call stack without overflowing', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(exceedsDepth(deep, 32)).toBe(true);
    expect(exceedsDepth(deep, 200_000)).toBe(false);
  });
});
