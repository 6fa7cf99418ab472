import type { EncryptionKey, SigningKey } from './keyring.js';

/** Signing of every L2/L3 payload and bus message (docs/security.md). */
export interface IntegrityOptions {
  /** Newest first: the first key signs, every key verifies. */
  readonly keys: readonly SigningKey[];
  /**
   * Also accept payloads and bus messages without a signature: only while turning integrity on
   * over a cache and a fleet that wrote without it. Default false.
   */
  readonly acceptUnsigned?: boolean;
}

/** Encryption of values in L2 and L3 (docs/security.md). L1 holds plain values. */
export interface EncryptionOptions {
  /** Newest first: the first key encrypts, every key decrypts. */
  readonly keys: readonly EncryptionKey[];
}
