import { describe, expect, it } from '@jest/globals';
import { loadAlerts } from './alerts.config.js';
import { ConfigError } from './config.error.js';
import { loadConfig } from './config.loader.js';

describe('loadAlerts', () => {
  it('keeps the library defaults when nothing is set', () => {
    expect(loadConfig({}).alerts).toEqual({ thresholds: {}, evaluationInterval: '15s', webhookUrl: undefined });
  });

  it('reads every variable', () => {
    expect(
      loadAlerts({
        ALERT_HIT_RATIO_MIN: '80%',
        ALERT_HIT_RATIO_WINDOW: '15m',
        ALERT_HIT_RATIO_FOR: '10m',
        ALERT_CIRCUIT_OPEN_FOR: '30s',
        ALERT_BUS_DOWN_FOR: '2m',
        ALERT_LISTENER_DOWN_FOR: '3m',
        ALERT_LOADER_ERROR_RATIO_MAX: '0.1',
        ALERT_LOADER_ERROR_WINDOW: '10m',
        ALERT_LOADER_ERROR_FOR: '1m',
        ALERT_L3_OVER_CAP_FOR: '2h',
        ALERT_L3_EXPIRED_ROWS_MAX: '5000',
        ALERT_L3_EXPIRED_ROWS_FOR: '0',
        ALERT_WRITE_BEHIND_LAG_FOR: '5m',
        ALERT_EVALUATION_INTERVAL: '30s',
        ALERT_WEBHOOK_URL: 'https://hooks.example.com/t/abc',
      }),
    ).toEqual({
      thresholds: {
        hitRatioMin: 0.8,
        hitRatioWindow: '15m',
        hitRatioFor: '10m',
        circuitOpenFor: '30s',
        busDownFor: '2m',
        listenerDownFor: '3m',
        loaderErrorRatioMax: 0.1,
        loaderErrorWindow: '10m',
        loaderErrorFor: '1m',
        l3OverCapFor: '2h',
        l3ExpiredRowsMax: 5000,
        l3ExpiredRowsFor: '0',
        writeBehindLagFor: '5m',
      },
      evaluationInterval: '30s',
      webhookUrl: 'https://hooks.example.com/t/abc',
    });
  });

  it.each([
    ['ALERT_HIT_RATIO_MIN', '70'],
    ['ALERT_HIT_RATIO_MIN', '120%'],
    ['ALERT_LOADER_ERROR_RATIO_MAX', 'some'],
    ['ALERT_HIT_RATIO_WINDOW', '30s'],
    ['ALERT_BUS_DOWN_FOR', 'soon'],
    ['ALERT_EVALUATION_INTERVAL', '100ms'],
    ['ALERT_L3_EXPIRED_ROWS_MAX', '-1'],
    ['ALERT_L3_OVER_CAP_FOR', 'an hour'],
    ['ALERT_WEBHOOK_URL', 'hooks.example.com'],
  ])('rejects %s=%s, naming it', (name, value) => {
    const load = () => loadAlerts({ [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(name);
  });

  it('does not echo a malformed webhook URL (it may carry a token)', () => {
    expect(() => loadAlerts({ ALERT_WEBHOOK_URL: 'secret-token-123' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-token-123') }));
  });
});
