import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Requests completed per second over the run. */
  rps: number;
  /** Milliseconds (autocannon's histogram has a 1 ms resolution). */
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx responses, errors and timeouts: anything but a clean 2xx. */
  failures: number;
}

/**
 * One autocannon run. autocannon fires from a worker thread (`workers: 1`), so that the client's
 * own work (HTTP parsing, histograms) does not run on the event loop of the server under test,
 * which lives in this process.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    headers: options.headers,
    pipelining: 1,
    workers: 1,
  });
  return {
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
