import type pg from 'pg';
import { withoutSignature, type BusSigner } from '../security/bus-signer.js';
import { BusHandlers } from './bus-handlers.js';
import { decodeEnvelope, encodeEnvelope, type BusEnvelope, type BusMessage, type CacheBus } from './bus-message.js';
import { PgChannelListener, type ListenClientFactory } from './pg-channel.listener.js';

/** NOTIFY refuses payloads of 8,000 bytes or more; leave room for the signature. */
const MAX_PAYLOAD_BYTES = 7_000;

export interface PostgresBusOptions {
  /** Where NOTIFY is sent from. Not ended by the bus. */
  pool: pg.Pool;
  /** A new dedicated client for the LISTEN session, per (re)connect. */
  createClient: ListenClientFactory;
  /** This instance's id; messages with it as origin are ignored. */
  instanceId: string;
  /** Channel name. Default `tc_bus`. */
  channel?: string;
  /** Signs what this instance sends and drops what fails the check (the `integrity` option). */
  signer?: BusSigner;
  /** Told about a handler that threw, or a LISTEN session error. */
  onError?: (error: unknown) => void;
}

/**
 * The bus over PostgreSQL LISTEN/NOTIFY, for a topology without Redis (Memcached L2). Like Redis
 * pub/sub it keeps nothing for an absent listener, so a lost session triggers `onLost` and the
 * session after it `onRecovered`. A message too large for one NOTIFY is split by keys or tags.
 */
export class PostgresBus implements CacheBus {
  private readonly channel: string;
  private readonly listener: PgChannelListener;
  private readonly handlers: BusHandlers;
  private wasLost = false;

  constructor(private readonly options: PostgresBusOptions) {
    this.channel = options.channel ?? 'tc_bus';
    this.handlers = new BusHandlers(options.onError);
    this.listener = new PgChannelListener({
      createClient: options.createClient,
      channel: this.channel,
      onNotification: (raw) => this.receive(raw),
      onConnected: () => {
        if (!this.wasLost) return;
        this.wasLost = false;
        this.handlers.recovered();
      },
      onLost: () => {
        this.wasLost = true;
        this.handlers.lost();
      },
      onError: (error) => this.options.onError?.(error),
    });
    void this.listener.start();
  }

  get connected(): boolean {
    return this.listener.connected;
  }

  /** Resolves once the LISTEN session is up. */
  async ready(timeoutMs = 5_000): Promise<void> {
    const started = Date.now();
    while (!this.connected) {
      if (Date.now() - started > timeoutMs) throw new Error(`bus not listening within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async publish(message: BusMessage): Promise<void> {
    for (const part of splitForNotify(message, (candidate) => this.encode(candidate))) {
      await this.options.pool.query('SELECT pg_notify($1, $2)', [this.channel, part]);
    }
  }

  onMessage(handler: (message: BusMessage, envelope: BusEnvelope) => void): void {
    this.handlers.onMessage(handler);
  }

  onLost(handler: () => void): void {
    this.handlers.onLost(handler);
  }

  onRecovered(handler: () => void): void {
    this.handlers.onRecovered(handler);
  }

  async close(): Promise<void> {
    await this.listener.stop();
  }

  private encode(message: BusMessage): string {
    const json = encodeEnvelope({ origin: this.options.instanceId, sentAt: Date.now(), message });
    return this.options.signer ? this.options.signer.sign(json) : json;
  }

  private receive(raw: string): void {
    const json = this.options.signer ? this.options.signer.open(raw) : withoutSignature(raw);
    const envelope = json === undefined ? undefined : decodeEnvelope(json);
    if (envelope !== undefined && envelope.origin !== this.options.instanceId) this.handlers.deliver(envelope);
  }
}

/** The encoded parts of `message`, each under the NOTIFY limit: its keys or tags halved until they fit. */
export function splitForNotify(message: BusMessage, encode: (message: BusMessage) => string): string[] {
  const encoded = encode(message);
  // A clear or a policies announcement carries no list, and is far below the limit.
  if (Buffer.byteLength(encoded) <= MAX_PAYLOAD_BYTES || message.kind === 'clear' || message.kind === 'policies') return [encoded];
  const items: readonly string[] = message.kind === 'tags' ? message.tags : message.keys;
  if (items.length <= 1) throw new Error(`A bus message of ${Buffer.byteLength(encoded)} bytes does not fit one NOTIFY`);
  const half = Math.ceil(items.length / 2);
  const withItems = (part: readonly string[]): BusMessage => (message.kind === 'tags' ? { ...message, tags: part } : { ...message, keys: part });
  return [...splitForNotify(withItems(items.slice(0, half)), encode), ...splitForNotify(withItems(items.slice(half)), encode)];
}
