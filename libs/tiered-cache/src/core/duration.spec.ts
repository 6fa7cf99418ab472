import { describe, expect, it } from '@jest/globals';
import { toMilliseconds } from './duration.js';
import { InvalidOptionError } from './errors.js';

describe('toMilliseconds', () => {
  it.each([
    [250, 250],
    ['250', 250],
    ['250ms', 250],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('reads %p as %p ms', (input, expected) => {
    expect(toMilliseconds(input)).toBe(expected);
  });

  it.each([-1, Number.NaN, Infinity, '', '5 minutes', '-5m', 'm'])('rejects %p naming the option', (input) => {
    expect(() => toMilliseconds(input as never, 'ttl')).toThrow(InvalidOptionError);
    expect(() => toMilliseconds(input as never, 'ttl')).toThrow(/'ttl'/);
  });
});
