import { BodyParseError } from './body-parse.error.js';

/** The `charset` parameter of a `Content-Type` header, lower-cased; undefined when it has none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const charset = match?.[1] ?? match?.[2];
  return charset ? charset.toLowerCase() : undefined;
}

/**
 * Decodes a body in its declared charset (`fallback` when it declares none), as Express's parsers
 * do: 415 `unsupported charset "X"` for a charset `accepts` refuses or that cannot be decoded.
 */
export function decodeBody(body: Buffer, contentType: string | undefined, fallback: string, accepts: (charset: string) => boolean): string {
  const charset = charsetOf(contentType) ?? fallback;
  const unsupported = () => new BodyParseError(415, `unsupported charset "${charset.toUpperCase()}"`);
  if (!accepts(charset)) throw unsupported();
  if (charset === 'utf-8' || charset === 'utf8') return body.toString('utf8');
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    throw unsupported();
  }
}
