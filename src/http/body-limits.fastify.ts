import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { HttpLimitsConfig } from '../config/index.js';
import { charsetOf, decodeBody } from './body-charset.js';
import { bodyDepthHook } from './body-depth.hook.js';
import { parseFormBody } from './form-body.parser.js';
import { parseJsonBody } from './json-body.parser.js';

const isUtf = (charset: string) => charset.startsWith('utf-');
const isFormCharset = (charset: string) => charset === 'utf-8' || charset === 'iso-8859-1';

/**
 * Fastify's side of the body limits, answering as the Express side does. Fastify reads JSON and
 * form bodies up to `bodyLimitBytes` (413 beyond) and they are parsed as Express's parsers parse
 * them. Any other body is left unread, as Express leaves it: the handler gets none, where Fastify
 * would answer 415, or hand over `text/plain` as a string. The depth check runs in a
 * `preValidation` hook: after parsing, before Nest's guards, pipes and handler.
 *
 * Before `app.init()`, Nest keeps these parsers instead of adding its defaults.
 */
export function applyFastifyBodyLimits(app: NestFastifyApplication, limits: HttpLimitsConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  const options = { bodyLimit: limits.bodyLimitBytes };
  app.useBodyParser('application/json', options, async (request: FastifyRequest, body: Buffer) =>
    parseJsonBody(decodeBody(body, request.headers['content-type'], 'utf-8', isUtf)),
  );
  app.useBodyParser('application/x-www-form-urlencoded', options, async (request: FastifyRequest, body: Buffer) => {
    const contentType = request.headers['content-type'];
    const text = decodeBody(body, contentType, 'utf-8', isFormCharset);
    return parseFormBody(text, limits.bodyMaxDepth, charsetOf(contentType) === 'iso-8859-1' ? 'iso-8859-1' : 'utf-8');
  });
  fastify.addHook('preValidation', bodyDepthHook(limits.bodyMaxDepth));
}
