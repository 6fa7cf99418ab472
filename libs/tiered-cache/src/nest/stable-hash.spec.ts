import { describe, expect, it } from '@jest/globals';
import { argumentsKey, stableHash, UnhashableArgumentError } from './stable-hash.js';

class Money {
  constructor(
    private readonly cents: number,
    readonly currency = 'EUR',
  ) {}
  toJSON(): string {
    return `${this.cents} ${this.currency}`;
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class Vector {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('stableHash', () => {
  it('ignores the key order of plain objects, at any depth', () => {
    expect(stableHash({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(stableHash({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
    expect(stableHash(Object.assign(Object.create(null), { a: 1, b: 2 }))).toBe(stableHash({ b: 2, a: 1 }));
  });

  it('is the same for equal Dates, BigInts, Maps, Sets and buffers', () => {
    const build = () => [new Date(86_400_000), 10n ** 30n, new Map([['k', 1]]), new Set([1, 2]), Buffer.from('ab'), /x/gi];
    expect(stableHash(build())).toBe(stableHash(build()));
  });

  it('tells apart values that JSON.stringify confuses', () => {
    const values: unknown[] = [
      undefined,
      null,
      0,
      -0,
      '0',
      0n,
      false,
      '',
      [],
      {},
      [undefined],
      [null],
      { a: undefined },
      { a: null },
      new Date(0),
      new Date(NaN),
      Number.NaN,
      Infinity,
      '1',
      1,
      1n,
      new Map(),
      new Set(),
      new Map([[1, 2]]),
      new Set([1, 2]),
      new Set([2, 1]),
      Buffer.from('a'),
      new Uint8Array([97]),
      /a/,
      '/a/',
      new Point(1, 2),
      new Vector(1, 2),
      { x: 1, y: 2 },
      new Money(100),
      new Money(200),
      'a,b',
      ['a', 'b'],
    ];
    const hashes = values.map((value) => stableHash(value));
    expect(new Set(hashes).size).toBe(values.length);
  });

  it('reads what a class says its value is through toJSON, private fields included', () => {
    expect(stableHash(new Money(100))).toBe(stableHash(new Money(100)));
    expect(stableHash(new Money(100))).not.toBe(stableHash(new Money(100, 'USD')));
  });

  it('refuses functions, symbols and cycles rather than produce a key many calls share', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => stableHash([() => 1])).toThrow(UnhashableArgumentError);
    expect(() => stableHash({ s: Symbol('x') })).toThrow(UnhashableArgumentError);
    expect(() => stableHash([cyclic])).toThrow(/\$\[0\]\.self: it contains a cycle/);
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(stableHash([shared, shared])).toBe(stableHash([{ a: 1 }, { a: 1 }]));
  });
});

describe('argumentsKey', () => {
  it('keeps short primitive argument lists readable and unambiguous', () => {
    expect(argumentsKey([42, 'en'])).toBe('=#42,"en"');
    expect(argumentsKey(['a,b'])).not.toBe(argumentsKey(['a', 'b']));
    expect(argumentsKey([1])).not.toBe(argumentsKey(['1']));
    expect(argumentsKey([undefined])).not.toBe(argumentsKey([null]));
    expect(argumentsKey([])).toBe('=');
  });

  it('hashes objects and long lists, and a hash never looks like a readable key', () => {
    expect(argumentsKey([{ a: 1 }])).toBe(stableHash([{ a: 1 }]));
    expect(argumentsKey(['x'.repeat(500)])).toBe(stableHash(['x'.repeat(500)]));
    expect(argumentsKey([{ a: 1 }]).startsWith('=')).toBe(false);
  });
});
