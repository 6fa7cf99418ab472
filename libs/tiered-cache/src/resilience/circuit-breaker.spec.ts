import { describe, expect, it } from '@jest/globals';
import { sleep } from '../../../../test/support/cache-fixture.js';
import { TierUnavailableError } from '../core/errors.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';

const fail = () => Promise.reject(new Error('boom'));
const succeed = () => Promise.resolve('ok');

/** A call whose outcome the test decides. */
function controlled() {
  let settle!: { resolve: (value: string) => void; reject: (error: Error) => void };
  const promise = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  return { call: () => promise, ...settle };
}

/**
 * A breaker (threshold 1, open 30 ms) that opened while an older call was still running, and is
 * now half-open with its probe running; both calls settle when the test says.
 */
async function probingWithAnOlderCallRunning(onChange?: (state: CircuitState) => void) {
  const breaker = new CircuitBreaker('l3', { failureThreshold: 1, openFor: 30 }, onChange);
  const early = controlled();
  const running = breaker.run(early.call);
  await expect(breaker.run(fail)).rejects.toThrow();
  await sleep(40);
  const probe = controlled();
  const probing = breaker.run(probe.call);
  return { breaker, early, running, probe, probing };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold, refuses calls without running them, probes once, and closes on success', async () => {
    const changes: CircuitState[] = [];
    const breaker = new CircuitBreaker('l2', { failureThreshold: 3, window: '1s', openFor: 100 }, (state) => changes.push(state));
    for (let i = 0; i < 3; i++) await expect(breaker.run(fail)).rejects.toThrow(TierUnavailableError);
    expect(breaker.state).toBe('open');
    let ran = false;
    await expect(breaker.run(async () => (ran = true))).rejects.toThrow(/circuit open/);
    expect(ran).toBe(false);

    await sleep(120);
    expect(breaker.state).toBe('half-open');
    let release!: () => void;
    const probe = breaker.run(() => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    await expect(breaker.run(succeed)).rejects.toThrow(/half-open/); // only one probe at a time
    release();
    await expect(probe).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the probe fails', async () => {
    const breaker = new CircuitBreaker('l3', { failureThreshold: 1, openFor: 50 });
    await expect(breaker.run(fail)).rejects.toThrow();
    await sleep(60);
    await expect(breaker.run(fail)).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  it('forgets failures outside its window', async () => {
    const breaker = new CircuitBreaker('l2', { failureThreshold: 2, window: 50 });
    await expect(breaker.run(fail)).rejects.toThrow();
    await sleep(70);
    await expect(breaker.run(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('does not let a call admitted while closed close a breaker that opened since', async () => {
    const breaker = new CircuitBreaker('l2', { failureThreshold: 1, openFor: 10_000 });
    const early = controlled();
    const running = breaker.run(early.call);
    await expect(breaker.run(fail)).rejects.toThrow(TierUnavailableError);
    expect(breaker.state).toBe('open');
    early.resolve('late');
    await expect(running).resolves.toBe('late');
    expect(breaker.state).toBe('open');
    await expect(breaker.run(succeed)).rejects.toThrow(/circuit open/);
  });

  it('keeps one probe at a time when an older call settles during the probe', async () => {
    const changes: CircuitState[] = [];
    const { breaker, early, running, probe, probing } = await probingWithAnOlderCallRunning((state) => changes.push(state));
    expect(breaker.state).toBe('half-open');

    early.resolve('late'); // admitted before the breaker opened: neither a probe nor a verdict
    await running;
    expect(breaker.state).toBe('half-open');
    let ran = false;
    await expect(breaker.run(async () => (ran = true))).rejects.toThrow(/half-open/);
    expect(ran).toBe(false);

    probe.resolve('ok');
    await probing;
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('lets an older call that fails during the probe leave the verdict to the probe', async () => {
    const { breaker, early, running, probe, probing } = await probingWithAnOlderCallRunning();
    early.reject(new Error('old failure'));
    await expect(running).rejects.toThrow(TierUnavailableError);
    expect(breaker.state).toBe('half-open');
    probe.resolve('ok');
    await probing;
    expect(breaker.state).toBe('closed');
  });
});
