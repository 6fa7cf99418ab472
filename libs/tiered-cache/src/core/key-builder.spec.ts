import { describe, expect, it } from '@jest/globals';
import { InvalidKeyError, InvalidOptionError } from './errors.js';
import { assertNamespace, KeyBuilder } from './key-builder.js';

describe('KeyBuilder', () => {
  const keys = new KeyBuilder(200);

  it('keeps short keys as they are, unicode and pattern characters included', () => {
    for (const key of ['a', 'ключ 🔑', 'x*?[]%_\\', ' spaced ']) expect(keys.build(key)).toBe(key);
  });

  it('hashes keys over the byte limit, keeping a readable prefix, and distinguishes them', () => {
    const long = 'é'.repeat(150); // 150 chars but 300 bytes
    const hashed = keys.build(long);
    expect(hashed).toMatch(/^é{64}#[0-9a-f]{64}$/);
    expect(keys.build(`${long}x`)).not.toBe(hashed);
    expect(keys.build(long)).toBe(hashed);
    expect(keys.build('a'.repeat(200))).toBe('a'.repeat(200));
  });

  it('rejects empty and non-string keys and bad settings', () => {
    expect(() => keys.build('')).toThrow(InvalidKeyError);
    expect(() => keys.build(42 as never)).toThrow(InvalidKeyError);
    expect(() => new KeyBuilder(10)).toThrow(InvalidOptionError);
    expect(() => assertNamespace('has space')).toThrow(InvalidOptionError);
    expect(assertNamespace('app.v2')).toBe('app.v2');
  });

  it.each([
    ['a lone high surrogate', 'user:\uD83D'],
    ['a lone low surrogate', '\uDE00:user'],
    ['surrogates in the wrong order', 'x\uDE00\uD83Dy'],
  ])('rejects %s, which every tier would store as U+FFFD and so share with other keys', (_label, key) => {
    expect(() => keys.build(key)).toThrow(InvalidKeyError);
    expect(() => keys.build(key)).toThrow(/lone UTF-16 surrogate/);
  });

  it('rejects a lone surrogate in a long key too, where it would reach the hash', () => {
    expect(() => keys.build(`${'a'.repeat(300)}\uD800`)).toThrow(/lone UTF-16 surrogate/);
  });

  it('rejects U+0000, which PostgreSQL text cannot hold', () => {
    expect(() => keys.build('a\u0000b')).toThrow(InvalidKeyError);
    expect(() => keys.build('\u0000')).toThrow(/U\+0000/);
  });

  it('keeps well-formed pairs and other control characters', () => {
    expect(keys.build('\uD83D\uDE00')).toBe('😀');
    expect(keys.build('tab\tand\u0001')).toBe('tab\tand\u0001');
  });
});
