/** Roles a token can carry. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The verified caller, from the token's `sub` and `role` claims. */
export interface Principal {
  readonly sub: string;
  readonly role: Role;
}

/** What the auth guard adds to a request: `req.user` is set on every non-public route. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
