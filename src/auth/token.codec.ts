import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { isRole, type Principal } from './auth.types.js';

const ALGORITHM = 'HS256';

/** A token failed verification; `reason` is safe to show to the caller. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`Invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

/**
 * The HMAC key of a secret, imported once: given raw bytes, jose imports them again on every
 * sign or verify, which is once per authenticated request.
 */
const keys = new Map<string, Promise<webcrypto.CryptoKey>>();
function key(secret: string): Promise<webcrypto.CryptoKey> {
  let imported = keys.get(secret);
  if (imported === undefined) {
    imported = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, imported);
  }
  return imported;
}

/**
 * The `iss` and `aud` a deployment requires (`AUTH_JWT_ISSUER`, `AUTH_JWT_AUDIENCE`): tokens are
 * signed with them, and a token without them, or with others, is rejected. Unset: not checked.
 */
export interface TokenClaims {
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

/**
 * Signs an HS256 JWT carrying `sub` and `role`, and `iss`/`aud` when `claims` has them.
 * @param expiresIn a jose time span such as `'1h'`, `'7d'`.
 */
export async function signToken(secret: string, principal: Principal, expiresIn = '1h', claims: TokenClaims = {}): Promise<string> {
  const jwt = new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  if (claims.issuer !== undefined) jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt.setAudience(claims.audience);
  return jwt.sign(await key(secret));
}

/**
 * Verifies signature, algorithm and expiry, `iss`/`aud` when `claims` has them, then the claims
 * the app relies on.
 * @throws InvalidTokenError with a reason fit for a 401 response.
 */
export async function verifyToken(secret: string, token: string, claims: TokenClaims = {}): Promise<Principal> {
  let payload;
  try {
    // Pinning the algorithm stops `alg: none` and algorithm-confusion tokens. Issuer and audience
    // keep a token minted for another service that shares the secret from being accepted here.
    ({ payload } = await jwtVerify(token, await key(secret), {
      algorithms: [ALGORITHM],
      ...(claims.issuer !== undefined && { issuer: claims.issuer }),
      ...(claims.audience !== undefined && { audience: claims.audience }),
    }));
  } catch (error) {
    throw new InvalidTokenError(describe(error));
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('claim "sub" is missing');
  if (!isRole(payload.role)) throw new InvalidTokenError('claim "role" must be "user" or "admin"');
  return { sub: payload.sub, role: payload.role };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not match';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed (HS256 only)';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" ${error.reason === 'missing' ? 'is missing' : 'is not accepted'}`;
  return 'malformed';
}
