/** What instances tell each other. Messages never carry values, only what to forget. */
export type BusMessage =
  | { readonly kind: 'tags'; readonly tags: readonly string[]; readonly stamp: number }
  | { readonly kind: 'delete'; readonly namespace: string; readonly keys: readonly string[] }
  | { readonly kind: 'clear'; readonly namespace: string };

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
   * Called when the bus comes back after a disconnect: messages sent meanwhile are lost, so the
   * instance must treat its L1 as suspect.
   */
  onRecovered(handler: () => void): void;
  close(): Promise<void>;
}

export function encodeEnvelope(envelope: BusEnvelope): string {
  return JSON.stringify(envelope);
}

/** Parses a message, or returns undefined for anything that is not one of ours. */
export function decodeEnvelope(raw: string): BusEnvelope | undefined {
  try {
    const parsed = JSON.parse(raw) as BusEnvelope;
    if (typeof parsed?.origin !== 'string' || typeof parsed.message?.kind !== 'string') return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}
