import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'auth:public';

/**
 * Opens a route (or every route of a controller) to callers without a token. In the OpenAPI
 * document the operation's `security` becomes empty, overriding the global bearer requirement.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  // `{}` is OpenAPI's "no requirement"; the document set-up normalises `[{}]` to `[]`.
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiSecurity({}));
