import { describe, expect, it } from '@jest/globals';
import { MAX_DURATION_MS, toMilliseconds } from './duration.js';
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

  it('accepts up to the maximum duration, in numbers and strings', () => {
    expect(MAX_DURATION_MS).toBe(315_360_000_000);
    expect(toMilliseconds(MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
    expect(toMilliseconds('3650d')).toBe(MAX_DURATION_MS);
  });

  it.each([1e16, 1e19, Number.MAX_VALUE, MAX_DURATION_MS + 1, '3651d', '100000000000h', '1e16'])(
    'rejects %p, past the maximum duration, naming the option',
    (input) => {
      expect(() => toMilliseconds(input, 'ttl')).toThrow(InvalidOptionError);
      expect(() => toMilliseconds(input, 'ttl')).toThrow(/'ttl'/);
    },
  );
});
