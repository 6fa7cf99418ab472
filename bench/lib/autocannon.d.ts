/** The part of autocannon 8's API the bench uses (the package ships no types). */
declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
    total: number;
  }

  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    pipelining?: number;
    /** Worker threads firing the requests; the caller's event loop stays free. */
    workers?: number;
    headers?: Record<string, string>;
    method?: string;
    /** Seconds. */
    timeout?: number;
  }

  interface Result {
    /** Requests per second (samples of one second) and `total`. */
    requests: Histogram;
    /** Milliseconds, in a histogram of 1 ms resolution. */
    latency: Histogram;
    throughput: Histogram;
    /** Seconds actually run. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
