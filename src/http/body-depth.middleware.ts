import { BadRequestException } from '@nestjs/common';
import { exceedsDepth } from './body-depth.js';

/** The part of an Express request and handler signature the middleware uses. */
type Next = (error?: unknown) => void;

/**
 * Express middleware, placed right after the body parsers: a body nested deeper than `maxDepth`
 * gets a 400 before any route, guard or pipe runs. The validation pipe's class-transformer recurses
 * once per level and overflows the stack (a 500) on bodies a few thousand levels deep.
 */
export function bodyDepthMiddleware(maxDepth: number): (request: { body?: unknown }, response: unknown, next: Next) => void {
  const message = `body must not be nested deeper than ${maxDepth} levels`;
  return (request, _response, next) => {
    // Nest's error handler turns the exception into the usual JSON 400, shaped like a validation error.
    if (exceedsDepth(request.body, maxDepth)) next(new BadRequestException([message]));
    else next();
  };
}
