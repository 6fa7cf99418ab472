import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config.error.js';
import { loadConfig } from './config.loader.js';
import { loadHttpAdapter } from './http-adapter.config.js';

describe('HTTP_ADAPTER', () => {
  it('defaults to express, empty counting as unset', () => {
    expect(loadHttpAdapter({})).toBe('express');
    expect(loadHttpAdapter({ HTTP_ADAPTER: ' ' })).toBe('express');
    expect(loadConfig({}).httpAdapter).toBe('express');
  });

  it('reads express or fastify in any letter case', () => {
    expect(loadHttpAdapter({ HTTP_ADAPTER: 'fastify' })).toBe('fastify');
    expect(loadHttpAdapter({ HTTP_ADAPTER: ' Fastify ' })).toBe('fastify');
    expect(loadConfig({ HTTP_ADAPTER: 'EXPRESS' }).httpAdapter).toBe('express');
  });

  it('stops the app on any other value, naming the variable', () => {
    expect(() => loadConfig({ HTTP_ADAPTER: 'koa' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_ADAPTER: 'koa' })).toThrow('Invalid configuration: HTTP_ADAPTER must be express or fastify, got "koa"');
  });
});
