import type { Redis } from 'ioredis';
import { withoutSignature, type BusSigner } from '../security/bus-signer.js';
import { closeRedisClient } from '../tiers/redis/redis.tier.js';
import { BusHandlers } from './bus-handlers.js';
import { decodeEnvelope, encodeEnvelope, type BusEnvelope, type BusMessage, type CacheBus } from './bus-message.js';

/** Default interval of the subscriber's PING, and how long a PING may go unanswered. */
export const DEFAULT_HEARTBEAT_MS = 1_000;

export interface RedisBusOptions {
  /** Client used to publish; a subscriber connection is duplicated from it. Not closed by the bus. */
  client: Redis;
  /** This instance's id; messages with it as origin are ignored. */
  instanceId: string;
  /** Pub/sub channel. Default `tc:bus`. */
  channel?: string;
  /**
   * The subscriber PINGs this often, and counts itself lost when a PING goes unanswered this long.
   * Default 1 s. A hung server closes no socket, so without it a hang is never noticed.
   */
  heartbeatMs?: number;
  /** Signs what this instance sends and drops what fails the check (the `integrity` option). */
  signer?: BusSigner;
  /** Told about a handler that threw; the message still reaches the other handlers. */
  onError?: (error: unknown) => void;
}

/**
 * Redis pub/sub bus. Pub/sub keeps nothing for a disconnected subscriber, which is why a loss
 * triggers `onLost` and the re-subscription after it `onRecovered`.
 */
export class RedisBus implements CacheBus {
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly heartbeatMs: number;
  private readonly handlers: BusHandlers;
  private readonly heartbeat: NodeJS.Timeout;
  private subscribed = false;
  private wasLost = false;
  private closing = false;
  /** Bumped by every ready and every loss, so a late answer from an older connection is ignored. */
  private epoch = 0;
  private pingInFlight = false;
  private rejected = 0;

  constructor(private readonly options: RedisBusOptions) {
    this.handlers = new BusHandlers(options.onError);
    this.channel = options.channel ?? 'tc:bus';
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.subscriber = options.client.duplicate({ enableOfflineQueue: true, autoResubscribe: true, commandTimeout: undefined });
    this.subscriber.on('message', (channel: string, raw: string) => this.receive(channel, raw));
    this.subscriber.on('ready', () => void this.handleReady());
    this.subscriber.on('close', () => this.handleLost(false));
    this.subscriber.on('error', () => undefined); // reconnects on its own; state is tracked above
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** True while the subscription is confirmed and the server answers. */
  get connected(): boolean {
    return this.subscribed && this.subscriber.status === 'ready';
  }

  /** Messages dropped because they were not well-formed (another format, a broken sender). */
  get rejectedMessages(): number {
    return this.rejected;
  }

  /** Handler calls that threw. */
  get handlerFailures(): number {
    return this.handlers.errors;
  }

  /** Resolves once the subscription is active. */
  async ready(timeoutMs = 5_000): Promise<void> {
    const started = Date.now();
    while (!this.connected) {
      if (Date.now() - started > timeoutMs) throw new Error(`bus not subscribed within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async publish(message: BusMessage): Promise<void> {
    const envelope: BusEnvelope = { origin: this.options.instanceId, sentAt: Date.now(), message };
    const json = encodeEnvelope(envelope);
    await this.options.client.publish(this.channel, this.options.signer ? this.options.signer.sign(json) : json);
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
    this.closing = true;
    clearInterval(this.heartbeat);
    this.subscribed = false;
    await closeRedisClient(this.subscriber);
  }

  /**
   * ioredis emits 'ready' before the server has confirmed the re-subscription: its readyHandler
   * (ioredis 5, built/redis/event_handler.js) calls setStatus('ready'), which emits on the next
   * tick, then writes the autoResubscribe SUBSCRIBE and waits for nothing. A message published
   * before the server reads that SUBSCRIBE is lost, after L1 was already reset. So the bus
   * subscribes itself (idempotent in Redis) and waits for the reply: replies come in order, so the
   * subscription is active by then.
   */
  private async handleReady(): Promise<void> {
    if (this.closing) return;
    const epoch = ++this.epoch;
    try {
      await this.subscriber.subscribe(this.channel);
    } catch {
      return; // the connection went away again; its next 'ready' retries
    }
    if (epoch !== this.epoch || this.closing || this.subscriber.status !== 'ready') return;
    this.subscribed = true;
    if (this.wasLost) {
      this.wasLost = false;
      this.handlers.recovered();
    }
  }

  /** Marks the subscription lost (once per outage) and, for a hang, forces a new connection. */
  private handleLost(reconnect: boolean): void {
    this.epoch++;
    if (this.closing) return;
    if (reconnect) this.subscriber.disconnect(true);
    if (!this.subscribed) return;
    this.subscribed = false;
    this.wasLost = true;
    this.handlers.lost();
  }

  /**
   * PING is valid in subscriber mode (RESP2 answers `pong`). One unanswered for `heartbeatMs`
   * means the server hangs with the socket open: nothing would ever close it.
   */
  private beat(): void {
    if (!this.connected || this.pingInFlight) return;
    this.pingInFlight = true;
    const epoch = this.epoch;
    let answered = false;
    const timer = setTimeout(() => {
      // After a stalled event loop this timer runs before the poll phase reads a reply already
      // waiting in the socket; checking again after that phase keeps a stall from passing for a hang.
      setImmediate(() => {
        this.pingInFlight = false;
        if (!answered && epoch === this.epoch) this.handleLost(true);
      });
    }, this.heartbeatMs);
    timer.unref();
    this.subscriber.ping().then(
      () => {
        answered = true;
        clearTimeout(timer);
        this.pingInFlight = false;
      },
      () => undefined, // a failed ping comes with a close, handled there; the timer stays a backstop
    );
  }

  private receive(channel: string, raw: string): void {
    if (channel !== this.channel) return;
    const json = this.options.signer ? this.options.signer.open(raw) : withoutSignature(raw);
    const envelope = json === undefined ? undefined : decodeEnvelope(json);
    if (envelope === undefined) {
      this.rejected++;
      return;
    }
    if (envelope.origin !== this.options.instanceId) this.handlers.deliver(envelope);
  }
}
