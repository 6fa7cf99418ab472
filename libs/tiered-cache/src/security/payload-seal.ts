import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Keyring } from './keyring.js';

/** What a payload is bound to: another key, stamp or tag set makes its signature fail. */
export interface PayloadIdentity {
  /** The namespace and key the payload is stored under. */
  readonly key: string;
  /** The entry's creation stamp (µs), which the tag and clear checks compare. */
  readonly createdAt: number;
  readonly tags: readonly string[];
}

/** Why a stored payload was refused. */
export type RejectionReason = 'unsigned' | 'malformed' | 'unknown-key' | 'bad-signature' | 'undecryptable' | 'too-large';

/** The payload failed a check; nothing of it was deserialized. */
export class PayloadRejected extends Error {
  constructor(readonly reason: RejectionReason) {
    super(`payload refused: ${reason}`);
    this.name = 'PayloadRejected';
  }
}

/**
 * First byte of a sealed payload. A V8-serialized value starts with 0xFF (its version tag), so a
 * sealed payload and an unsigned one are told apart before anything is parsed.
 */
const MAGIC = 0xc7;
const ENCRYPTED = 0x01;
const MAC_BYTES = 32;
const IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const DOMAIN = Buffer.from('tiered-cache/payload/v1\0', 'latin1');

/**
 * Signs (HMAC-SHA-256) and optionally encrypts (AES-256-GCM) the bytes stored in L2 and L3.
 *
 * Layout: `C7 | flags | idLen | macKeyId | [encIdLen | encKeyId | iv | gcmTag] | mac | body`. The
 * MAC covers the identity (key, stamp, tags), the header and the body, so a payload moved to
 * another key, given a later stamp or stripped of a tag fails; the cipher's additional data is the
 * identity too. Lifetimes are not covered: backfill rewrites them with the remaining lifetime.
 */
export class PayloadSeal {
  constructor(
    private readonly signing: Keyring,
    private readonly encryption: Keyring | undefined,
    /** Accept payloads without a seal (rolling integrity out over a cache written without it). */
    private readonly acceptUnsigned: boolean,
  ) {}

  seal(identity: PayloadIdentity, plain: Buffer): Buffer {
    const bound = identityBytes(identity);
    const mac = this.signing.current;
    let header: Buffer;
    let body = plain;
    if (this.encryption === undefined) {
      header = Buffer.concat([Buffer.from([MAGIC, 0, mac.idBytes.length]), mac.idBytes]);
    } else {
      const enc = this.encryption.current;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', enc.material, iv);
      cipher.setAAD(bound);
      body = Buffer.concat([cipher.update(plain), cipher.final()]);
      header = Buffer.concat([
        Buffer.from([MAGIC, ENCRYPTED, mac.idBytes.length]),
        mac.idBytes,
        Buffer.from([enc.idBytes.length]),
        enc.idBytes,
        iv,
        cipher.getAuthTag(),
      ]);
    }
    return Buffer.concat([header, signature(mac.material, bound, header, body), body]);
  }

  /**
   * The plain bytes of a stored payload.
   * @throws PayloadRejected when it is unsigned (unless accepted), malformed, signed by an unknown
   * key, or its signature does not match `identity`.
   */
  open(identity: PayloadIdentity, stored: Buffer): Buffer {
    if (stored.length === 0 || stored[0] !== MAGIC) {
      if (this.acceptUnsigned) return stored;
      throw new PayloadRejected('unsigned');
    }
    const reader = new HeaderReader(stored);
    const flags = reader.byte();
    const macKey = this.signing.find(reader.id());
    let cipher: { key: KeyObject | undefined; iv: Buffer; tag: Buffer } | undefined;
    if (flags === ENCRYPTED) {
      cipher = { key: this.encryption?.find(reader.id()), iv: reader.bytes(IV_BYTES), tag: reader.bytes(GCM_TAG_BYTES) };
    } else if (flags !== 0) {
      throw new PayloadRejected('malformed');
    }
    const headerEnd = reader.offset;
    const mac = reader.bytes(MAC_BYTES);
    if (macKey === undefined) throw new PayloadRejected('unknown-key');
    const header = stored.subarray(0, headerEnd);
    const body = stored.subarray(reader.offset);
    const bound = identityBytes(identity);
    if (!timingSafeEqual(mac, signature(macKey, bound, header, body))) throw new PayloadRejected('bad-signature');
    if (cipher === undefined) return body;
    if (cipher.key === undefined) throw new PayloadRejected('unknown-key');
    try {
      const decipher = createDecipheriv('aes-256-gcm', cipher.key, cipher.iv);
      decipher.setAAD(bound);
      decipher.setAuthTag(cipher.tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new PayloadRejected('undecryptable');
    }
  }
}

function signature(key: KeyObject, bound: Buffer, header: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(DOMAIN).update(bound).update(header).update(body).digest();
}

/** Length-prefixed fields, so that no two identities share an encoding ("a" + "bc" vs "ab" + "c"). */
function identityBytes(identity: PayloadIdentity): Buffer {
  const parts = [identity.key, String(identity.createdAt), ...identity.tags].map((text) => Buffer.from(text, 'utf8'));
  const out = Buffer.allocUnsafe(4 + parts.reduce((sum, part) => sum + 4 + part.length, 0));
  let offset = out.writeUInt32BE(identity.tags.length, 0);
  for (const part of parts) {
    offset = out.writeUInt32BE(part.length, offset);
    offset += part.copy(out, offset);
  }
  return out;
}

/** Reads the header fields, refusing a payload that ends inside one. */
class HeaderReader {
  offset = 1;

  constructor(private readonly stored: Buffer) {}

  byte(): number {
    if (this.offset >= this.stored.length) throw new PayloadRejected('malformed');
    return this.stored[this.offset++]!;
  }

  bytes(length: number): Buffer {
    if (this.offset + length > this.stored.length) throw new PayloadRejected('malformed');
    const slice = this.stored.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  /** A key id: a length byte, then that many latin-1 bytes. */
  id(): string {
    return this.bytes(this.byte()).toString('latin1');
  }
}

/** The identity of `key`'s entry in `namespace`: the same in L2 and L3, so a backfill keeps its seal valid. */
export function payloadIdentity(namespace: string, key: string, createdAt: number, tags: readonly string[]): PayloadIdentity {
  return { key: `${namespace}\u0000${key}`, createdAt, tags };
}
