import { createHash } from 'node:crypto';
import { TieredCacheError } from '../core/errors.js';

/** An argument the default key cannot represent faithfully: a function, a symbol, a cycle. */
export class UnhashableArgumentError extends TieredCacheError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Cannot build a cache key from argument ${path}: ${reason}. Give @Cached a key function.`);
  }
}

/**
 * A short digest of `value` that equal inputs share and different inputs do not: plain objects
 * hash the same whatever their key order, and Date, BigInt, undefined, Map, Set and binary data
 * keep their identity (`undefined` is not `null`, `1n` is not `1`).
 */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(canonical(value, '$', new Set())).digest('base64url');
}

const READABLE_KEY_MAX_CHARS = 120;
const NO_ANCESTORS = new Set<object>();

/**
 * The default key suffix: readable for short lists of primitive arguments (`=#42,"en"`), which
 * also skips hashing on the hot path, and {@link stableHash} otherwise. The two forms cannot meet:
 * a hash never starts with `=`.
 */
export function argumentsKey(args: readonly unknown[]): string {
  let readable = '=';
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    const type = typeof arg;
    if (arg !== null && type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'undefined' && type !== 'bigint') {
      return stableHash(args);
    }
    readable += (index === 0 ? '' : ',') + canonical(arg, `$[${index}]`, NO_ANCESTORS);
    if (readable.length > READABLE_KEY_MAX_CHARS) return stableHash(args);
  }
  return readable;
}

/**
 * An encoding in which every kind of value has its own leading character and strings are
 * JSON-quoted, so two different values never produce the same text. Collections keep their order
 * (it may matter to the method); only plain-object keys are sorted.
 */
function canonical(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '#-0' : `#${value}`;
    case 'bigint':
      return `b${value}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'function':
    case 'symbol':
      throw new UnhashableArgumentError(path, `a ${typeof value} has no stable value`);
  }
  if (value === null) return 'n';
  const object = value as object;
  if (ancestors.has(object)) throw new UnhashableArgumentError(path, 'it contains a cycle');
  ancestors.add(object);
  try {
    return canonicalObject(object, path, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function canonicalObject(value: object, path: string, ancestors: Set<object>): string {
  if (Array.isArray(value)) {
    // Array.from turns holes into undefined, which must not vanish from the encoding.
    return `[${Array.from(value, (item, i) => canonical(item, `${path}[${i}]`, ancestors)).join(',')}]`;
  }
  if (value instanceof Date) return `D${value.getTime()}`;
  if (value instanceof Map) {
    const items = Array.from(value, ([k, v], i) => `${canonical(k, `${path}<key ${i}>`, ancestors)}=>${canonical(v, `${path}<value ${i}>`, ancestors)}`);
    return `M[${items.join(',')}]`;
  }
  if (value instanceof Set) return `S[${Array.from(value, (item, i) => canonical(item, `${path}<${i}>`, ancestors)).join(',')}]`;
  if (ArrayBuffer.isView(value)) {
    return `B${value.constructor.name}:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  }
  if (value instanceof ArrayBuffer) return `BArrayBuffer:${Buffer.from(value).toString('base64')}`;
  if (value instanceof RegExp) return `R${JSON.stringify(value.toString())}`;
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === Object.prototype || prototype === null) return `{${properties(value, path, ancestors)}}`;
  // A class instance: its class is part of its identity. toJSON is how such classes say what
  // their value is (Decimal, ObjectId, Luxon), and it sees private fields the properties do not.
  const className = JSON.stringify((value.constructor as { name?: string } | undefined)?.name ?? '');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return `J${className}(${canonical(toJSON.call(value), `${path}.toJSON()`, ancestors)})`;
  return `C${className}{${properties(value, path, ancestors)}}`;
}

function properties(value: object, path: string, ancestors: Set<object>): string {
  const record = value as Record<string, unknown>;
  return Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(record[key], `${path}.${key}`, ancestors)}`)
    .join(',');
}
