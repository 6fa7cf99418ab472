import { BadRequestException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { exceedsDepth } from './body-depth.js';

/**
 * Fastify's counterpart of {@link bodyDepthMiddleware}, as a `preValidation` hook: Fastify runs
 * middleware before it parses the body, so the check waits for the parsed body there. A body nested
 * deeper than `maxDepth` gets the same 400 before any guard, pipe or handler runs.
 */
export function bodyDepthHook(maxDepth: number): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  const message = `body must not be nested deeper than ${maxDepth} levels`;
  return (request, _reply, done) => {
    // Nest's exception handler, Fastify's error handler, answers with the usual JSON 400.
    if (exceedsDepth(request.body, maxDepth)) done(new BadRequestException([message]));
    else done();
  };
}
