import { describe, expect, it } from '@jest/globals';
import { serialize } from 'node:v8';
import { v8Serializer } from '../core/serializer.js';
import { Keyring } from './keyring.js';
import { PayloadCodec } from './payload-codec.js';
import { payloadIdentity, PayloadSeal } from './payload-seal.js';

/**
 * The decoder faces whatever is stored in Redis or the cache table. Random and mutated payloads
 * must come back as a value, a rejection or a miss, never as a thrown error, a crash or a hang.
 * Seeded, so that a failure is reproduced by its seed.
 */
const SEED = 0x5eed;
const CASES = 3_000;

/** xorshift32: small, seeded, good enough to pick bytes. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const identity = payloadIdentity('default', 'fuzz', 1_795_310_500_000_000, ['t']);
const signing = Keyring.signing([{ id: 'k', secret: 'a-secret-of-at-least-thirty-two-bytes' }], 'integrity.keys');
const encryption = Keyring.encryption([{ id: 'e', key: Buffer.alloc(32, 1) }], 'encryption.keys');
const codecs = {
  unsigned: new PayloadCodec(v8Serializer, undefined, 64 * 1024),
  signed: new PayloadCodec(v8Serializer, new PayloadSeal(signing, undefined, false), 64 * 1024),
  encrypted: new PayloadCodec(v8Serializer, new PayloadSeal(signing, encryption, false), 64 * 1024),
};

/** Nested arrays `depth` deep in V8's wire format, the shape that overflows a recursive parser. */
function deeplyNested(depth: number): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0x0f]), Buffer.alloc(depth * 2, Buffer.from([0x41, 0x01])), Buffer.from([0x49, 0x02]), Buffer.alloc(depth * 3, Buffer.from([0x24, 0x00, 0x01]))]);
}

const seeds: Buffer[] = [
  serialize({ id: 1, name: 'row', tags: ['a', 'b'], at: new Date(0), big: 10n, map: new Map([[1, 2]]) }),
  serialize([1, 'two', { three: [3] }]),
  serialize('x'.repeat(300)),
  deeplyNested(10_000),
  // Length fields claiming far more than the payload holds: a string, an array, an ArrayBuffer.
  Buffer.from('ff0f22ffffffff0f61', 'hex'),
  Buffer.from('ff0f41ffffffff0f49', 'hex'),
  Buffer.from('ff0f42ffffffff0f00', 'hex'),
  Buffer.from('ff0f61ffffffff0f4000ffffffff0f', 'hex'),
];

function mutate(input: Buffer, random: () => number): Buffer {
  const out = Buffer.from(input);
  const edits = 1 + Math.floor(random() * 8);
  for (let edit = 0; edit < edits && out.length > 0; edit++) {
    const at = Math.floor(random() * out.length);
    const choice = random();
    if (choice < 0.5) out[at] = Math.floor(random() * 256);
    else if (choice < 0.75) out[at] = [0x00, 0xff, 0x7f, 0x80][Math.floor(random() * 4)]!;
    else return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(random() * 16))]);
  }
  return out;
}

describe('PayloadCodec under random and mutated input', () => {
  it.each(Object.entries(codecs))('the %s decoder returns a value, a rejection or a miss for every input', (name, codec) => {
    const random = prng(SEED);
    const outcomes = { value: 0, rejected: 0, undecodable: 0 };
    const inputs: Buffer[] = [];
    for (const seed of seeds) {
      inputs.push(seed, codecs.signed.encode(identity, seed), codecs.encrypted.encode(identity, seed));
    }
    for (let index = 0; index < CASES; index++) {
      const base = inputs[Math.floor(random() * inputs.length)]!;
      inputs.push(random() < 0.2 ? Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))) : mutate(base, random));
    }
    for (const input of inputs) {
      let outcome;
      try {
        outcome = codec.decode(identity, input);
      } catch (error) {
        throw new Error(`${name} decoder threw on ${input.subarray(0, 64).toString('hex')}: ${String(error)} (seed ${SEED})`);
      }
      outcomes[outcome.kind]++;
    }
    // Every kind of outcome occurs, so the corpus reaches past the first check of each decoder.
    expect(outcomes.value).toBeGreaterThan(0);
    expect(outcomes.rejected + outcomes.undecodable).toBeGreaterThan(CASES / 2);
    if (name !== 'unsigned') expect(outcomes.rejected).toBeGreaterThan(CASES / 2);
  });

  it('refuses a payload over the bound before parsing it', () => {
    const codec = new PayloadCodec(v8Serializer, undefined, 1_000);
    expect(codec.decode(identity, serialize('z'.repeat(2_000)))).toEqual({ kind: 'rejected', reason: 'too-large' });
  });

  it('turns a nesting deeper than the stack into a miss, not a crash', () => {
    expect(codecs.unsigned.decode(identity, deeplyNested(10_000)).kind).toBe('undecodable');
  });
});
