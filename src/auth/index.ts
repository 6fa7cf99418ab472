export * from './auth.guard.js';
export * from './auth.module.js';
export * from './auth.types.js';
export * from './current-user.decorator.js';
export * from './public.decorator.js';
export * from './roles.decorator.js';
export * from './token.codec.js';
export * from './token.service.js';
