import { InvalidOptionError } from '../core/errors.js';
import type { Serializer } from '../core/serializer.js';
import { BusSigner } from './bus-signer.js';
import { Keyring } from './keyring.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, PayloadCodec } from './payload-codec.js';
import { PayloadSeal } from './payload-seal.js';
import type { EncryptionOptions, IntegrityOptions } from './security.options.js';

export interface SecurityOptions {
  readonly integrity?: IntegrityOptions;
  readonly encryption?: EncryptionOptions;
  readonly maxPayloadBytes?: number;
}

/** The payload codec and bus signer the options describe; every key is checked here, at construction. */
export function buildSecurity(options: SecurityOptions, serializer: Serializer): { codec: PayloadCodec; busSigner: BusSigner | undefined } {
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    throw new InvalidOptionError('maxPayloadBytes', `must be a positive integer, got ${String(options.maxPayloadBytes)}`);
  }
  if (options.encryption !== undefined && options.integrity === undefined) {
    throw new InvalidOptionError('encryption', 'needs integrity keys as well: every payload is signed, encrypted or not');
  }
  if (options.integrity === undefined) return { codec: new PayloadCodec(serializer, undefined, maxPayloadBytes), busSigner: undefined };
  const signing = Keyring.signing(options.integrity.keys, 'integrity.keys');
  const encryption = options.encryption === undefined ? undefined : Keyring.encryption(options.encryption.keys, 'encryption.keys');
  const acceptUnsigned = options.integrity.acceptUnsigned === true;
  return {
    codec: new PayloadCodec(serializer, new PayloadSeal(signing, encryption, acceptUnsigned), maxPayloadBytes),
    busSigner: new BusSigner(signing, acceptUnsigned),
  };
}
