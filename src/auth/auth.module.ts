import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { TokenService } from './token.service.js';

/** Bearer-token auth for every route; see {@link AuthGuard}, `@Public()`, `@Roles()`. */
@Module({
  controllers: [AuthController],
  providers: [TokenService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
