import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import type { Principal } from './auth.types.js';
import { signToken, verifyToken } from './token.codec.js';

/** Signs and verifies the app's bearer tokens with AUTH_JWT_SECRET. */
@Injectable()
export class TokenService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  sign(principal: Principal, expiresIn?: string): Promise<string> {
    return signToken(this.config.auth.jwtSecret, principal, expiresIn);
  }

  /** @throws InvalidTokenError */
  verify(token: string): Promise<Principal> {
    return verifyToken(this.config.auth.jwtSecret, token);
  }
}
