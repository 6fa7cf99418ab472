import pg from 'pg';

/**
 * A LISTEN client that records every payload on some channels. `drain(writer)` sends a marker from
 * `writer` and waits for it: PostgreSQL delivers notifications in commit order, so once the marker
 * is in, everything committed before it is too. Counting is therefore exact, not timed.
 */
export class NotificationRecorder {
  readonly payloads = new Map<string, string[]>();
  private readonly client: pg.Client;
  private markers = 0;
  private readonly waiting = new Map<string, () => void>();

  private constructor(url: string) {
    this.client = new pg.Client({ connectionString: url });
    this.client.on('notification', ({ channel, payload = '' }) => {
      const resolve = this.waiting.get(payload);
      if (channel === 'test_marker' && resolve) return resolve();
      this.payloads.get(channel)?.push(payload);
    });
  }

  static async listen(url: string, channels: readonly string[]): Promise<NotificationRecorder> {
    const recorder = new NotificationRecorder(url);
    await recorder.client.connect();
    for (const channel of [...channels, 'test_marker']) {
      recorder.payloads.set(channel, []);
      await recorder.client.query(`LISTEN ${channel}`);
    }
    recorder.payloads.delete('test_marker');
    return recorder;
  }

  /** Forgets what was recorded so far. */
  clear(): void {
    for (const list of this.payloads.values()) list.length = 0;
  }

  async drain(writer: pg.Client, timeoutMs = 10_000): Promise<void> {
    const marker = `marker-${++this.markers}`;
    const arrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`marker ${marker} not received within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(marker, () => {
        clearTimeout(timer);
        this.waiting.delete(marker);
        resolve();
      });
    });
    await writer.query(`SELECT pg_notify('test_marker', $1)`, [marker]);
    await arrived;
  }

  /** Payloads on `channel`, parsed as JSON. */
  json<T>(channel: string): T[] {
    return (this.payloads.get(channel) ?? []).map((payload) => JSON.parse(payload) as T);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
