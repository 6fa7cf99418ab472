import { createServer, Socket, type Server } from 'node:net';

/** What the proxy does with traffic right now. */
export type ProxyMode = { readonly kind: 'pass' } | { readonly kind: 'delay'; readonly ms: number } | { readonly kind: 'hang' } | { readonly kind: 'cut'; readonly refuse: boolean };

/**
 * A TCP proxy on 127.0.0.1 in front of one server, for fault tests: the test decides whether bytes
 * pass, pass late, stall, or whether connections break. A real network partition stalls TCP rather
 * than losing bytes, so `hang()` holds data back and delivers it, in order, on `pass()`.
 */
export class TcpProxy {
  private current: ProxyMode = { kind: 'pass' };
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** Resolves the writers waiting behind a hang. */
  private released: () => void = () => undefined;
  private unhung: Promise<void> = Promise.resolve();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Starts a proxy on a free loopback port, forwarding to `target`. */
  static async start(target: { host?: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port, { host: target.host ?? '127.0.0.1', port: target.port });
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  get mode(): ProxyMode {
    return this.current;
  }

  /** Open connections (client side), for tests of the proxy itself. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Forward everything at once; releases what a hang held back. */
  pass(): void {
    this.setMode({ kind: 'pass' });
  }

  /** Forward each chunk `ms` after it arrived, keeping the order of each direction. */
  delay(ms: number): void {
    this.setMode({ kind: 'delay', ms });
  }

  /** Accept and keep connections open, but forward nothing until `pass()` or `delay()`. */
  hang(): void {
    if (this.current.kind === 'hang') return;
    this.unhung = new Promise<void>((resolve) => {
      this.released = resolve;
    });
    this.current = { kind: 'hang' };
  }

  /** Destroys every open connection; with `refuse`, new ones too until `pass()`. */
  cut(options: { refuse?: boolean } = {}): void {
    this.setMode({ kind: 'cut', refuse: options.refuse === true });
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  async close(): Promise<void> {
    this.pass();
    for (const pair of [...this.pairs]) this.drop(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private setMode(mode: ProxyMode): void {
    const wasHung = this.current.kind === 'hang';
    this.current = mode;
    if (wasHung) this.released();
  }

  private accept(client: Socket): void {
    if (this.current.kind === 'cut' && this.current.refuse) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.pipe(client, upstream, pair);
    this.pipe(upstream, client, pair);
    client.on('error', () => this.drop(pair));
    upstream.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
    upstream.connect(this.target.port, this.target.host);
  }

  /**
   * One direction. Each chunk is stamped with its due time on arrival and written in arrival
   * order, so a delay never reorders bytes and a shorter delay set later does not overtake.
   */
  private pipe(from: Socket, to: Socket, pair: { client: Socket; upstream: Socket }): void {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const mode = this.current;
      const dueAt = mode.kind === 'delay' ? performance.now() + mode.ms : 0;
      chain = chain.then(async () => {
        while (this.current.kind === 'hang') await this.unhung;
        const wait = dueAt - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.pairs.has(pair) && !to.destroyed) to.write(chunk);
      });
    });
  }

  private drop(pair: { client: Socket; upstream: Socket }): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream.destroy();
  }
}
