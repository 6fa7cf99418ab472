/** What instances tell each other. Messages never carry values, only what to forget. */
export type BusMessage =
  | { readonly kind: 'tags'; readonly tags: readonly string[]; readonly stamp: number }
  | { readonly kind: 'delete'; readonly namespace: string; readonly keys: readonly string[] }
  /** Another instance wrote these keys: whatever this instance holds for them in L1 is older. */
  | { readonly kind: 'set'; readonly namespace: string; readonly keys: readonly string[] }
  | { readonly kind: 'clear'; readonly namespace: string }
  /** The namespace's runtime policies were edited: reload them (docs/policies.md). */
  | { readonly kind: 'policies'; readonly namespace: string };

export interface BusEnvelope {
  readonly origin: string;
  readonly sentAt: number;
  readonly message: BusMessage;
}

/** The cross-instance channel. An instance never receives its own messages. */
export interface CacheBus {
  readonly connected: boolean;
  publish(message: BusMessage): Promise<void>;
  /** Called for every message from another instance. */
  onMessage(handler: (message: BusMessage, envelope: BusEnvelope) => void): void;
  /**
   * Called once when an established subscription is found lost (the connection closed, or the
   * server stopped answering): from then on messages may be missed, until {@link onRecovered}.
   */
  onLost(handler: () => void): void;
  /**
   * Called when the bus comes back after a loss, once the subscription is confirmed again:
   * messages sent meanwhile are lost, so the instance must treat its L1 as suspect.
   */
  onRecovered(handler: () => void): void;
  close(): Promise<void>;
}

export function encodeEnvelope(envelope: BusEnvelope): string {
  return JSON.stringify(envelope);
}

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * One check per kind. A kind this version does not know is dropped, not guessed at: during a
 * rolling deploy an older instance must ignore what a newer one sends instead of failing on it.
 */
const VALID_MESSAGE: Record<BusMessage['kind'], (message: Fields) => boolean> = {
  tags: (message) => isStringArray(message.tags) && typeof message.stamp === 'number' && Number.isFinite(message.stamp),
  delete: (message) => typeof message.namespace === 'string' && isStringArray(message.keys),
  set: (message) => typeof message.namespace === 'string' && isStringArray(message.keys),
  clear: (message) => typeof message.namespace === 'string',
  policies: (message) => typeof message.namespace === 'string',
};

/** Whether `message` has every field its kind needs, with the right types. */
export function isBusMessage(message: unknown): message is BusMessage {
  if (!isRecord(message) || typeof message.kind !== 'string' || !Object.hasOwn(VALID_MESSAGE, message.kind)) return false;
  return VALID_MESSAGE[message.kind as BusMessage['kind']](message);
}

/**
 * Parses a message, or returns undefined for anything that is not a well-formed one of ours: the
 * handlers then never see a field missing or of another type.
 */
export function decodeEnvelope(raw: string): BusEnvelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.origin !== 'string' || typeof parsed.sentAt !== 'number' || !isBusMessage(parsed.message)) {
    return undefined;
  }
  return parsed as unknown as BusEnvelope;
}
