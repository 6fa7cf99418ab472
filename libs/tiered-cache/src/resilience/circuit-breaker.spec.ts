import { describe, expect, it } from '@jest/globals';
import { sleep } from '../../../../test/support/cache-fixture.js';
import { TierUnavailableError } from '../core/errors.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';

const fail = () => Promise.reject(new Error('boom'));
const succeed = () => Promise.resolve('ok');

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
});
