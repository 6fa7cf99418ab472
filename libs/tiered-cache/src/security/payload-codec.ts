import type { Serializer } from '../core/serializer.js';
import { PayloadRejected, type PayloadIdentity, type PayloadSeal, type RejectionReason } from './payload-seal.js';

/** Default bound on a stored payload, checked before anything of it is parsed. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** What a seal adds to the plain bytes: header, two key ids, IV, GCM tag and MAC, at most. */
const SEAL_OVERHEAD_BYTES = 3 + 32 + 1 + 32 + 12 + 16 + 32;

export type DecodedPayload =
  | { readonly kind: 'value'; readonly value: unknown; readonly plain: Buffer }
  /** Failed a check: never served, to be removed from the tier. */
  | { readonly kind: 'rejected'; readonly reason: RejectionReason }
  /** Genuine (or unsigned) but not readable by this serializer, as during a serializer change: a miss. */
  | { readonly kind: 'undecodable' };

/**
 * The bytes a remote tier stores for a value, and back: the size bound, then the seal (when
 * integrity is configured), then the serializer. A payload is deserialized only once it passed both.
 */
export class PayloadCodec {
  private readonly maxStoredBytes: number;

  constructor(
    private readonly serializer: Serializer,
    private readonly seal: PayloadSeal | undefined,
    readonly maxPayloadBytes: number = DEFAULT_MAX_PAYLOAD_BYTES,
  ) {
    this.maxStoredBytes = maxPayloadBytes + (seal === undefined ? 0 : SEAL_OVERHEAD_BYTES);
  }

  /** Whether payloads are signed: then a tier removes what fails the check. */
  get signs(): boolean {
    return this.seal !== undefined;
  }

  /** The bytes to store for `plain` (the serialized value) under `identity`. */
  encode(identity: PayloadIdentity, plain: Buffer): Buffer {
    return this.seal === undefined ? plain : this.seal.seal(identity, plain);
  }

  decode(identity: PayloadIdentity, stored: Buffer): DecodedPayload {
    if (stored.length > this.maxStoredBytes) return { kind: 'rejected', reason: 'too-large' };
    let plain = stored;
    if (this.seal !== undefined) {
      try {
        plain = this.seal.open(identity, stored);
      } catch (error) {
        if (error instanceof PayloadRejected) return { kind: 'rejected', reason: error.reason };
        throw error;
      }
    }
    try {
      return { kind: 'value', value: this.serializer.deserialize(plain), plain };
    } catch {
      // Malformed input makes V8 throw (a RangeError for deep nesting), never crash: see the fuzz spec.
      return { kind: 'undecodable' };
    }
  }
}
