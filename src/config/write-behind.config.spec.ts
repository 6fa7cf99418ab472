import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config.error.js';
import { loadConfig } from './config.loader.js';
import { loadWriteBehind } from './write-behind.config.js';

const REDIS = 'redis://127.0.0.1:6379';

describe('loadWriteBehind', () => {
  it('is off by default, with the documented defaults', () => {
    expect(loadConfig({}).writeBehind).toEqual({
      enabled: false,
      flusher: true,
      batchSize: 500,
      flushInterval: '200ms',
      claimIdle: '30s',
      lagMax: '60s',
      ackDelay: 0,
    });
  });

  it('reads every variable', () => {
    expect(
      loadWriteBehind(
        {
          WRITE_BEHIND: 'true',
          WRITE_BEHIND_FLUSHER: 'false',
          WRITE_BEHIND_BATCH_SIZE: '50',
          WRITE_BEHIND_FLUSH_INTERVAL: '1s',
          WRITE_BEHIND_CLAIM_IDLE: '5s',
          WRITE_BEHIND_LAG_MAX: '2m',
          WRITE_BEHIND_ACK_DELAY: '3s',
        },
        REDIS,
      ),
    ).toEqual({ enabled: true, flusher: false, batchSize: 50, flushInterval: '1s', claimIdle: '5s', lagMax: '2m', ackDelay: '3s' });
  });

  it.each([
    [{ WRITE_BEHIND: 'true' }, undefined, 'Invalid configuration: WRITE_BEHIND needs REDIS_URL: the queue of writes lives in Redis'],
    [{ WRITE_BEHIND: 'maybe' }, REDIS, 'Invalid configuration: WRITE_BEHIND must be true or false, got "maybe"'],
    [{ WRITE_BEHIND_BATCH_SIZE: '0' }, REDIS, 'Invalid configuration: WRITE_BEHIND_BATCH_SIZE must be an integer from 1 to 10000, got "0"'],
    [{ WRITE_BEHIND_CLAIM_IDLE: '10ms' }, REDIS, 'Invalid configuration: WRITE_BEHIND_CLAIM_IDLE must be at least 1000 ms, got "10ms"'],
    [{ WRITE_BEHIND_LAG_MAX: 'soon' }, REDIS, 'Invalid configuration: WRITE_BEHIND_LAG_MAX must be milliseconds or a duration like 30s, 5m, 1h, got "soon"'],
  ])('refuses %j naming the variable', (env, redisUrl, message) => {
    expect(() => loadWriteBehind(env, redisUrl)).toThrow(ConfigError);
    expect(() => loadWriteBehind(env, redisUrl)).toThrow(message);
  });
});
