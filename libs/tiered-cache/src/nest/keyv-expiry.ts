/**
 * Writes `expiresAt` (epoch ms) into Keyv's `{ value, expires }` envelope when the envelope says
 * "no expiry", so that what Keyv reads back (`get(key, { raw: true })`, cache-manager's `ttl()`)
 * tells the expiry the tiers enforce.
 *
 * Keyv hands the store the envelope serialized (a JSON text by default and with the usual
 * serializers) or, with serialization turned off, as an object. The text is only parsed to look at
 * it, never re-serialized: a serializer's own encodings (json-bigint's big numbers, Keyv's
 * `:base64:` strings) stay as they were. `"expires"` is appended before the closing brace; when the
 * text already holds `"expires":null`, the last key wins in `JSON.parse` and in json-bigint alike.
 * Anything else (a serializer that does not write JSON) is returned unchanged.
 */
export function withExpiry(envelope: unknown, expiresAt: number): unknown {
  if (typeof envelope === 'string') return textWithExpiry(envelope, expiresAt);
  if (isEnvelope(envelope) && envelope.expires == null) return { ...envelope, expires: expiresAt };
  return envelope;
}

function textWithExpiry(text: string, expiresAt: number): string {
  const end = text.lastIndexOf('}');
  if (!text.startsWith('{') || end !== text.length - 1) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isEnvelope(parsed) || parsed.expires != null) return text;
  const separator = Object.keys(parsed).length === 0 ? '' : ',';
  return `${text.slice(0, end)}${separator}"expires":${expiresAt}}`;
}

function isEnvelope(value: unknown): value is { expires?: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
