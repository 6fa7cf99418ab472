import qs from 'qs';
import { BodyParseError } from './body-parse.error.js';

/** Express's default: more fields than this is a 413. */
const PARAMETER_LIMIT = 1000;

/**
 * Parses a form body (`application/x-www-form-urlencoded`) as Express's extended form parser does
 * with `depth: maxDepth`: nested keys (`a[b][c]=1`) become objects, more than 1,000 fields are a
 * 413 `too many parameters`, and keys nested deeper than `maxDepth` a 400
 * `The input exceeded the depth`.
 */
export function parseFormBody(text: string, maxDepth: number, charset: 'utf-8' | 'iso-8859-1' = 'utf-8'): unknown {
  if (text.length === 0) return {};
  const fields = countFields(text);
  if (fields > PARAMETER_LIMIT) throw new BodyParseError(413, 'too many parameters');
  try {
    return qs.parse(text, {
      allowPrototypes: true,
      arrayLimit: Math.max(100, fields),
      depth: maxDepth,
      charset,
      parameterLimit: PARAMETER_LIMIT,
      strictDepth: true,
    });
  } catch (error) {
    if (error instanceof RangeError) throw new BodyParseError(400, 'The input exceeded the depth');
    throw error;
  }
}

/** Fields as Express counts them: one more than the `&`s, stopping just past the limit. */
function countFields(text: string): number {
  let count = 1;
  for (let index = text.indexOf('&'); index !== -1 && count <= PARAMETER_LIMIT; index = text.indexOf('&', index + 1)) count++;
  return count;
}
