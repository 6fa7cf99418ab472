import { deserialize, serialize } from 'node:v8';

/** Turns values into bytes for the remote tiers. Must throw on values it cannot round-trip. */
export interface Serializer {
  serialize(value: unknown): Buffer;
  deserialize(bytes: Buffer): unknown;
}

/**
 * The structured-clone serializer of Node's V8 (see docs/decisions/0001-serializer.md).
 * Round-trips Date, BigInt, Map, Set, Buffer, typed arrays, RegExp, cycles, and throws on
 * functions and symbols.
 */
export const v8Serializer: Serializer = {
  serialize: (value) => serialize(value),
  deserialize: (bytes) => deserialize(bytes),
};
