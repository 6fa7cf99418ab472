import { createSecretKey, type KeyObject } from 'node:crypto';
import { InvalidOptionError } from '../core/errors.js';

/** A secret that signs payloads and bus messages (HMAC-SHA-256). */
export interface SigningKey {
  /** Written into every payload it signs, so a reader knows which key to verify with. 1–32 of `A-Z a-z 0-9 . _ -`. */
  readonly id: string;
  /** At least 32 bytes (a string is taken as UTF-8). */
  readonly secret: string | Buffer;
}

/** A key that encrypts values (AES-256-GCM). */
export interface EncryptionKey {
  /** Written into every payload it encrypts. 1–32 of `A-Z a-z 0-9 . _ -`. */
  readonly id: string;
  /** Exactly 32 bytes: a Buffer, or a string of them in base64 or hex. */
  readonly key: string | Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const MIN_SECRET_BYTES = 32;
const AES_KEY_BYTES = 32;

/**
 * Keys by id, the first one current: it signs or encrypts every new payload, and every key
 * verifies or decrypts. Rotation: put the new key first, keep the old ones until every entry
 * written with them has expired, then drop them.
 */
export class Keyring {
  private readonly byId: ReadonlyMap<string, KeyObject>;
  readonly current: { readonly id: string; readonly idBytes: Buffer; readonly material: KeyObject };

  private constructor(entries: ReadonlyArray<readonly [string, Buffer]>) {
    // Imported once: an HMAC keyed by a raw Buffer imports the key again on every payload.
    this.byId = new Map(entries.map(([id, material]) => [id, createSecretKey(material)]));
    const id = entries[0]![0];
    this.current = { id, idBytes: Buffer.from(id, 'latin1'), material: this.byId.get(id)! };
  }

  /** Key `id`, or undefined for a key this instance does not hold. */
  find(id: string): KeyObject | undefined {
    return this.byId.get(id);
  }

  /** @throws InvalidOptionError naming `option` and the bad key. */
  static signing(keys: readonly SigningKey[] | undefined, option: string): Keyring {
    return Keyring.build(keys, option, (key, where) => {
      const secret = typeof key.secret === 'string' ? Buffer.from(key.secret, 'utf8') : key.secret;
      if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_BYTES) {
        throw new InvalidOptionError(where, `secret must be at least ${MIN_SECRET_BYTES} bytes`);
      }
      return secret;
    });
  }

  /** @throws InvalidOptionError naming `option` and the bad key. */
  static encryption(keys: readonly EncryptionKey[] | undefined, option: string): Keyring {
    return Keyring.build(keys, option, (key, where) => {
      const material = typeof key.key === 'string' ? decodeKeyString(key.key) : key.key;
      if (!Buffer.isBuffer(material) || material.length !== AES_KEY_BYTES) {
        throw new InvalidOptionError(where, `key must be exactly ${AES_KEY_BYTES} bytes (a Buffer, or base64 or hex of 32 bytes)`);
      }
      return material;
    });
  }

  private static build<K extends { readonly id: string }>(
    keys: readonly K[] | undefined,
    option: string,
    materialOf: (key: K, where: string) => Buffer,
  ): Keyring {
    if (!Array.isArray(keys) || keys.length === 0) throw new InvalidOptionError(option, 'needs at least one key');
    const seen = new Set<string>();
    const entries = keys.map((key, index): readonly [string, Buffer] => {
      const where = `${option}[${index}]`;
      if (typeof key?.id !== 'string' || !KEY_ID.test(key.id)) throw new InvalidOptionError(`${where}.id`, 'must be 1-32 of A-Z a-z 0-9 . _ -');
      if (seen.has(key.id)) throw new InvalidOptionError(`${where}.id`, `duplicate key id ${JSON.stringify(key.id)}`);
      seen.add(key.id);
      return [key.id, materialOf(key, where)];
    });
    return new Keyring(entries);
  }
}

function decodeKeyString(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  return Buffer.from(text, 'base64');
}
