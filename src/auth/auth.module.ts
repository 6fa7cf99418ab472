import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthFailureLimiter } from './auth-failure.limiter.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { TokenService } from './token.service.js';

/** Bearer-token auth for every route; see {@link AuthGuard}, `@Public()`, `@Roles()`. */
@Module({
  controllers: [AuthController],
  providers: [TokenService, AuthFailureLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
