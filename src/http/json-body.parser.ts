import { BadRequestException } from '@nestjs/common';

/** JSON's whitespace is space, tab, line feed and carriage return only. */
const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

/**
 * Parses a JSON body as Express's JSON parser (body-parser, strict) does, so that both platforms
 * answer a body alike: an empty body is `{}`, only an object or an array is accepted, and a
 * malformed one is a 400 with `JSON.parse`'s message. A `__proto__` key stays an ordinary own
 * property, as there (the validation pipe refuses it as an unknown field).
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) return {};
  const first = FIRST_NON_WHITESPACE.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new BadRequestException(strictViolation(text, first || undefined));
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadRequestException((error as Error).message);
  }
}

/**
 * body-parser's wording for a body that is not an object or an array: `JSON.parse`'s own message
 * about its first character ("Unexpected token '1', "1" is not valid JSON").
 */
function strictViolation(text: string, first: string | undefined): string {
  const index = first === undefined ? -1 : text.indexOf(first);
  const masked = index === -1 ? '' : text.slice(0, index) + '#'.repeat(text.length - index);
  try {
    JSON.parse(masked);
  } catch (error) {
    return (error as Error).message.replace(/#+/g, (mask) => text.slice(index, index + mask.length));
  }
  return 'strict violation';
}
