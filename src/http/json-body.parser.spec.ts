import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { parseJsonBody } from './json-body.parser.js';

describe('parseJsonBody', () => {
  const refusal = (text: string) => {
    try {
      parseJsonBody(text);
    } catch (error) {
      return error instanceof BadRequestException ? error.message : `not a 400: ${String(error)}`;
    }
    return 'accepted';
  };

  it('reads an empty body as {}, and objects and arrays as JSON.parse does', () => {
    expect(parseJsonBody('')).toEqual({});
    expect(parseJsonBody(' \n{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
    expect(parseJsonBody('[1,2]')).toEqual([1, 2]);
    expect(Object.hasOwn(parseJsonBody('{"__proto__":{"x":1}}') as object, '__proto__')).toBe(true);
  });

  it('refuses anything but an object or an array with a 400 worded by JSON.parse, as Express does', () => {
    expect(refusal('1')).toBe('Unexpected token \'1\', "1" is not valid JSON');
    expect(refusal('  "text"')).toBe('Unexpected token \'"\', "  "text"" is not valid JSON');
    expect(refusal('   ')).toBe('Unexpected end of JSON input');
    expect(refusal('{bad')).toMatch(/^Expected property name or '}' in JSON at position 1/);
  });
});
