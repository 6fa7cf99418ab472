import { Agent } from 'node:http';
import type { ClusterInstance } from './app-cluster.js';
import type { HttpOptions } from './http.js';
import { seededRandom } from '../../../bench/lib/zipf.js';

/** One request of a load run. `status` 0 means no HTTP answer (connection error or timeout). */
export interface LoadSample {
  readonly instance: string;
  readonly op: string;
  /** performance.now() when it was sent. */
  readonly sentAt: number;
  readonly ms: number;
  readonly status: number;
  readonly error?: string;
}

/** What a worker sends next (as a user, or as an admin for writes); `n` counts that worker's requests. */
export type LoadMix = (random: () => number, n: number, worker: string) => { op: string; request: Omit<HttpOptions, 'token' | 'agent'>; asAdmin?: boolean };

export interface LoadOptions {
  readonly instances: readonly ClusterInstance[];
  /** Concurrent request loops per instance. */
  readonly workersPerInstance: number;
  readonly mix: LoadMix;
  /** Hard caps: the run stops at whichever comes first, or at `stop()`. */
  readonly maxRequests: number;
  readonly maxDurationMs: number;
  /** Per-request timeout. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Seed of the per-worker pseudo-random generators, so a run's mix is reproducible. */
  readonly seed?: number;
}

export interface LoadRun {
  readonly samples: readonly LoadSample[];
  /** Ends the run; resolves when every worker has finished its request in flight. */
  stop(): Promise<readonly LoadSample[]>;
  readonly done: Promise<readonly LoadSample[]>;
}


/**
 * A closed-loop load on every instance: each worker sends one request, waits for the answer, sends
 * the next. Bounded in request count and duration; loopback only (see `httpRequest`).
 */
export function startLoad(options: LoadOptions): LoadRun {
  const samples: LoadSample[] = [];
  const deadline = performance.now() + options.maxDurationMs;
  let stopped = false;
  const agents: Agent[] = [];
  const workers: Array<Promise<void>> = [];
  options.instances.forEach((instance, instanceIndex) => {
    const agent = new Agent({ keepAlive: true, maxSockets: options.workersPerInstance });
    agents.push(agent);
    for (let w = 0; w < options.workersPerInstance; w++) {
      const worker = `${instance.name}${w}`;
      const random = seededRandom((options.seed ?? 1) * 1_000 + instanceIndex * 100 + w);
      workers.push(
        (async () => {
          for (let n = 0; !stopped && samples.length < options.maxRequests && performance.now() < deadline; n++) {
            const { op, request, asAdmin } = options.mix(random, n, worker);
            const timed = { ...request, agent, timeoutMs: options.requestTimeoutMs ?? 10_000 };
            const sentAt = performance.now();
            const send = asAdmin ? instance.admin(timed) : instance.get(request.path, timed);
            try {
              const reply = await send;
              samples.push({ instance: instance.name, op, sentAt, ms: reply.ms, status: reply.status });
            } catch (error) {
              samples.push({ instance: instance.name, op, sentAt, ms: performance.now() - sentAt, status: 0, error: (error as Error).message });
            }
          }
        })(),
      );
    }
  });
  const done = Promise.all(workers).then(() => {
    for (const agent of agents) agent.destroy();
    return samples;
  });
  return {
    samples,
    done,
    stop() {
      stopped = true;
      return done;
    },
  };
}
