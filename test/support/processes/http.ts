import { Agent, request } from 'node:http';

export interface HttpReply {
  readonly status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  readonly body: unknown;
  /** Wall time of the request, in milliseconds. */
  readonly ms: number;
}

export interface HttpOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
  /** The request fails after this long. Default 10 s. */
  readonly timeoutMs?: number;
  readonly agent?: Agent;
}

/** One keep-alive agent per process; the load loops pass their own to bound their sockets. */
const sharedAgent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * A small JSON-over-HTTP client for the process tests. Loopback only: any other host is refused,
 * so no load or fault loop can leave the machine.
 */
export function httpRequest(baseUrl: string, options: HttpOptions): Promise<HttpReply> {
  const url = new URL(options.path, baseUrl);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost' && url.hostname !== '[::1]') {
    return Promise.reject(new Error(`Refusing a non-loopback request to ${url.hostname}`));
  }
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? sharedAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started });
      });
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`${options.method ?? 'GET'} ${options.path} timed out after ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Closes the idle keep-alive sockets of the shared agent (call in afterAll). */
export function closeHttpAgent(): void {
  sharedAgent.destroy();
}

/** Value at quantile `q` (0-1) of `values`, nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** `{ n, p50, p99, max }` rounded to 0.1 ms, for logs and docs. */
export function summarize(values: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  const round = (value: number) => Math.round(value * 10) / 10;
  return { n: values.length, p50: round(quantile(values, 0.5)), p99: round(quantile(values, 0.99)), max: round(values.length ? Math.max(...values) : Number.NaN) };
}
