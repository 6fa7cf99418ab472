import type { BusEnvelope, BusMessage } from './bus-message.js';

/**
 * The handlers registered on a bus, and their calling. A handler that throws is counted and
 * reported, never rethrown: the call comes from a client's socket callback, where a throw would
 * take the process down.
 */
export class BusHandlers {
  private readonly messageHandlers: Array<(message: BusMessage, envelope: BusEnvelope) => void> = [];
  private readonly lostHandlers: Array<() => void> = [];
  private readonly recoveryHandlers: Array<() => void> = [];
  private failures = 0;

  constructor(private readonly onError?: (error: unknown) => void) {}

  /** Handler calls that threw. */
  get errors(): number {
    return this.failures;
  }

  onMessage(handler: (message: BusMessage, envelope: BusEnvelope) => void): void {
    this.messageHandlers.push(handler);
  }

  onLost(handler: () => void): void {
    this.lostHandlers.push(handler);
  }

  onRecovered(handler: () => void): void {
    this.recoveryHandlers.push(handler);
  }

  deliver(envelope: BusEnvelope): void {
    for (const handler of this.messageHandlers) this.call(() => handler(envelope.message, envelope));
  }

  lost(): void {
    for (const handler of this.lostHandlers) this.call(handler);
  }

  recovered(): void {
    for (const handler of this.recoveryHandlers) this.call(handler);
  }

  private call(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.failures++;
      this.onError?.(error);
    }
  }
}
