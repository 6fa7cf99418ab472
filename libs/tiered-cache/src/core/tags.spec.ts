import { describe, expect, it } from '@jest/globals';
import { InvalidTagError } from './errors.js';
import { normalizeTags } from './tags.js';

describe('normalizeTags', () => {
  it('de-duplicates and freezes', () => {
    const tags = normalizeTags(['a', 'b', 'a', 'ключ 😀']);
    expect(tags).toEqual(['a', 'b', 'ключ 😀']);
    expect(Object.isFrozen(tags)).toBe(true);
  });

  it.each([
    ['U+0000', 'a\u0000b', /control characters/],
    ['a lone high surrogate', 'user:\uD83D', /lone UTF-16 surrogate/],
    ['a lone low surrogate', '\uDE00', /lone UTF-16 surrogate/],
  ])('rejects a tag with %s, naming the tag', (_label, tag, reason) => {
    expect(() => normalizeTags(['ok', tag])).toThrow(InvalidTagError);
    expect(() => normalizeTags(['ok', tag])).toThrow(reason);
    try {
      normalizeTags([tag]);
    } catch (error) {
      expect((error as InvalidTagError).tag).toBe(tag);
    }
  });
});
