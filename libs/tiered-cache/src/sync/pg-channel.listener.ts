import type pg from 'pg';

/** Makes a new, unconnected client for a dedicated LISTEN session (never a pooled one). */
export type ListenClientFactory = () => pg.Client;

export interface PgChannelListenerOptions {
  createClient: ListenClientFactory;
  channel: string;
  onNotification: (payload: string) => void;
  /**
   * Called after every (re)connect, the first one included, with the listening session. NOTIFY
   * keeps nothing for an absent listener: whatever was sent during a gap must be re-read from the
   * tables here. `start()` waits for it on the first connect.
   */
  onConnected?: (client: pg.Client) => void | Promise<void>;
  /** Called when an established session is lost, before reconnecting. */
  onLost?: () => void;
  onError?: (error: Error) => void;
  /** First reconnect delay, doubling up to 10 s. Default 500 ms. */
  reconnectDelayMs?: number;
}

/**
 * A LISTEN loop on one channel, on a dedicated connection that reconnects by itself with backoff.
 * The cache's trigger invalidations run on it (`PostgresInvalidationListener`), and so can an
 * application's own channels.
 */
export class PgChannelListener {
  private client: pg.Client | undefined;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PgChannelListenerOptions) {}

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Resolves after the first attempt, connected or not; retries go on in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = this.options.createClient();
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload !== undefined) this.options.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel.replace(/"/g, '""')}"`);
    } catch (error) {
      this.options.onError?.(error as Error);
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    try {
      await this.options.onConnected?.(client);
    } catch (error) {
      this.options.onError?.(error as Error);
    }
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    if (error) this.options.onError?.(error);
    this.client = undefined;
    this.options.onLost?.();
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = Math.min((this.options.reconnectDelayMs ?? 500) * 2 ** this.attempt, 10_000);
    this.attempt++;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }
}
