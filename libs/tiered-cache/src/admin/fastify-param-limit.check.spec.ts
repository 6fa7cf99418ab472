import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { FastifyParamLimitCheck, MAX_ENCODED_ADMIN_KEY_LENGTH, routerParamLimit } from './fastify-param-limit.check.js';

const hostOf = (adapter: ExpressAdapter | FastifyAdapter) => Object.assign(new HttpAdapterHost(), { httpAdapter: adapter });

describe('FastifyParamLimitCheck', () => {
  it("reads Fastify's maxParamLength, and no limit on Express", () => {
    expect(routerParamLimit(hostOf(new ExpressAdapter()))).toBeUndefined();
    expect(routerParamLimit(hostOf(new FastifyAdapter()))).toBe(100);
    expect(routerParamLimit(hostOf(new FastifyAdapter({ routerOptions: { maxParamLength: 20_000 } })))).toBe(20_000);
  });

  it('warns at start-up only when entry keys would not fit', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      new FastifyParamLimitCheck(hostOf(new FastifyAdapter({ routerOptions: { maxParamLength: MAX_ENCODED_ADMIN_KEY_LENGTH } }))).onApplicationBootstrap();
      new FastifyParamLimitCheck(hostOf(new ExpressAdapter())).onApplicationBootstrap();
      expect(warn).not.toHaveBeenCalled();
      new FastifyParamLimitCheck(hostOf(new FastifyAdapter())).onApplicationBootstrap();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/maxParamLength is 100: \/entries\/:key answers 414/);
    } finally {
      warn.mockRestore();
    }
  });
});
