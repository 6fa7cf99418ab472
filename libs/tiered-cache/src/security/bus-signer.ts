import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Keyring } from './keyring.js';

const PREFIX = 's1.';
const DOMAIN = 'tiered-cache/bus/v1\0';

/**
 * Signs bus messages (HMAC-SHA-256 over the message text) and drops those that fail: whoever can
 * PUBLISH on the channel without the key cannot make instances forget or keep entries.
 * Wire format: `s1.<key id>.<base64url MAC>.<JSON>`; an unsigned message is the JSON alone.
 */
export class BusSigner {
  constructor(
    private readonly keyring: Keyring,
    /** Accept unsigned messages (while rolling integrity out over a fleet that sends them). */
    private readonly acceptUnsigned: boolean,
  ) {}

  sign(json: string): string {
    const { id, material } = this.keyring.current;
    return `${PREFIX}${id}.${mac(material, json).toString('base64url')}.${json}`;
  }

  /** The JSON of a message that passed the check, or undefined. */
  open(raw: string): string | undefined {
    if (!raw.startsWith(PREFIX)) return this.acceptUnsigned ? raw : undefined;
    const signed = splitSigned(raw);
    const key = signed && this.keyring.find(signed.keyId);
    if (signed === undefined || key === undefined) return undefined;
    const given = Buffer.from(signed.mac, 'base64url');
    const expected = mac(key, signed.json);
    return given.length === expected.length && timingSafeEqual(given, expected) ? signed.json : undefined;
  }
}

/**
 * The JSON of a message, signature unchecked: for an instance without keys, which trusts the bus
 * as before, so that a fleet can turn signing on one instance at a time.
 */
export function withoutSignature(raw: string): string {
  return raw.startsWith(PREFIX) ? (splitSigned(raw)?.json ?? raw) : raw;
}

/** The parts of `s1.<key id>.<MAC>.<JSON>`, or undefined when a separator is missing. */
function splitSigned(raw: string): { keyId: string; mac: string; json: string } | undefined {
  const idEnd = raw.indexOf('.', PREFIX.length);
  const macEnd = idEnd < 0 ? -1 : raw.indexOf('.', idEnd + 1);
  if (macEnd < 0) return undefined;
  return { keyId: raw.slice(PREFIX.length, idEnd), mac: raw.slice(idEnd + 1, macEnd), json: raw.slice(macEnd + 1) };
}

function mac(key: KeyObject, json: string): Buffer {
  return createHmac('sha256', key).update(DOMAIN).update(json).digest();
}
