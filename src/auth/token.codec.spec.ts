import { describe, expect, it } from '@jest/globals';
import { SignJWT, UnsecuredJWT } from 'jose';
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
});
