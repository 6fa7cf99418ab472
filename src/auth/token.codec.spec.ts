import { describe, expect, it } from '@jest/globals';
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { InvalidTokenError, signToken, verifyToken } from './token.codec.js';

const SECRET = 'unit-test-secret-0123456789abcdef012345';
const key = new TextEncoder().encode(SECRET);

describe('token codec', () => {
  it('round-trips sub and role', async () => {
    const token = await signToken(SECRET, { sub: 'alice', role: 'admin' });
    await expect(verifyToken(SECRET, token)).resolves.toEqual({ sub: 'alice', role: 'admin' });
  });

  it('rejects an unsigned (alg: none) token', async () => {
    const token = new UnsecuredJWT({ role: 'admin' }).setSubject('mallory').encode();
    await expect(verifyToken(SECRET, token)).rejects.toThrow(InvalidTokenError);
  });

  it('rejects an unknown role and a missing subject', async () => {
    const badRole = await new SignJWT({ role: 'root' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime('1h').sign(key);
    await expect(verifyToken(SECRET, badRole)).rejects.toThrow('Invalid token: claim "role" must be "user" or "admin"');
    const noSub = await new SignJWT({ role: 'user' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    await expect(verifyToken(SECRET, noSub)).rejects.toThrow('Invalid token: claim "sub" is missing');
  });

  it('rejects an HS512 token (algorithm pinned to HS256)', async () => {
    const token = await new SignJWT({ role: 'user' }).setProtectedHeader({ alg: 'HS512' }).setSubject('a').sign(new TextEncoder().encode(SECRET.repeat(2)));
    await expect(verifyToken(SECRET, token)).rejects.toThrow('Invalid token: algorithm not allowed (HS256 only)');
  });

  describe('issuer and audience, when configured', () => {
    const claims = { issuer: 'https://auth.example.com', audience: 'tiered-cache-api' };
    const signed = (payload: { iss?: string; aud?: string | string[] }) =>
      new SignJWT({ role: 'user', ...payload }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime('1h').sign(key);

    it('signs them and accepts them back', async () => {
      const token = await signToken(SECRET, { sub: 'alice', role: 'user' }, '1h', claims);
      expect(decodeJwt(token)).toMatchObject({ iss: claims.issuer, aud: claims.audience });
      await expect(verifyToken(SECRET, token, claims)).resolves.toEqual({ sub: 'alice', role: 'user' });
    });

    it('accepts the audience among several', async () => {
      await expect(verifyToken(SECRET, await signed({ iss: claims.issuer, aud: ['other', claims.audience] }), claims)).resolves.toEqual({ sub: 'a', role: 'user' });
    });

    it('rejects a token without them, or with others', async () => {
      await expect(verifyToken(SECRET, await signToken(SECRET, { sub: 'a', role: 'user' }), claims)).rejects.toThrow('Invalid token: claim "iss" is missing');
      await expect(verifyToken(SECRET, await signed({ iss: claims.issuer }), claims)).rejects.toThrow('Invalid token: claim "aud" is missing');
      await expect(verifyToken(SECRET, await signed({ iss: 'https://evil.example.com', aud: claims.audience }), claims)).rejects.toThrow(
        'Invalid token: claim "iss" is not accepted',
      );
      await expect(verifyToken(SECRET, await signed({ iss: claims.issuer, aud: 'another-service' }), claims)).rejects.toThrow(
        'Invalid token: claim "aud" is not accepted',
      );
    });

    it('checks only what is configured', async () => {
      const issuerOnly = await signed({ iss: claims.issuer });
      await expect(verifyToken(SECRET, issuerOnly, { issuer: claims.issuer })).resolves.toEqual({ sub: 'a', role: 'user' });
      await expect(verifyToken(SECRET, issuerOnly)).resolves.toEqual({ sub: 'a', role: 'user' });
      await expect(verifyToken(SECRET, await signed({ aud: 'x' }), { audience: 'y' })).rejects.toThrow('Invalid token: claim "aud" is not accepted');
    });
  });
});
