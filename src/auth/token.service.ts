import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import type { Principal } from './auth.types.js';
import { verifyToken } from './token.codec.js';

/**
 * Verifies the app's bearer tokens with AUTH_JWT_SECRET, and AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE
 * when set (`signToken` makes them, for scripts and tests).
 */
@Injectable()
export class TokenService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** @throws InvalidTokenError */
  verify(token: string): Promise<Principal> {
    return verifyToken(this.config.auth.jwtSecret, token, this.config.auth);
  }
}
