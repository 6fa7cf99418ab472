import { describe, expect, it } from '@jest/globals';
import { BodyParseError } from './body-parse.error.js';
import { parseFormBody } from './form-body.parser.js';

describe('parseFormBody', () => {
  const refusal = (text: string, depth = 32) => {
    try {
      parseFormBody(text, depth);
    } catch (error) {
      return error instanceof BodyParseError ? [error.statusCode, error.message] : String(error);
    }
    return 'accepted';
  };

  it('nests bracketed keys and repeats into arrays, as the extended form parser does', () => {
    expect(parseFormBody('', 32)).toEqual({});
    expect(parseFormBody('title=a%20b&extra[a][b]=1&tag=x&tag=y', 32)).toEqual({ title: 'a b', extra: { a: { b: '1' } }, tag: ['x', 'y'] });
  });

  it('answers 400 past the depth and 413 past 1,000 fields', () => {
    expect(refusal('a[b][c]=1', 2)).toBe('accepted');
    expect(refusal('a[b][c][d]=1', 2)).toEqual([400, 'The input exceeded the depth']);
    expect(refusal(Array.from({ length: 1_000 }, (_, i) => `f${i}=1`).join('&'))).toBe('accepted');
    expect(refusal(Array.from({ length: 1_001 }, (_, i) => `f${i}=1`).join('&'))).toEqual([413, 'too many parameters']);
  });
});
