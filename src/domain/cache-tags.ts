import { createHash } from 'node:crypto';

/*
 * The cache tags of the reference app. The database triggers
 * (migrations/1795310200000-cache-invalidation-triggers.migration.ts) build the same strings in
 * SQL, so a change here needs a matching migration; test/domain checks that both agree.
 */

/** Every `listWithStats` entry; the triggers drop it when the set of sessions may change. */
export const EXPERT_SESSIONS_TAG = 'expert_sessions';
/** Every `productPerformance` entry. */
export const PRODUCT_PERFORMANCE_TAG = 'product_performance';
/** Every chat entry: what a TRUNCATE of the chat tables invalidates. */
export const CHATS_TAG = 'chats';

/**
 * Tags of a cached list: `broad` on every one, plus the per-id tag of the filter and of every id the
 * rows reference, so a change under one id leaves the lists that do not show it cached.
 */
export function listTags(broad: string, tagOf: (id: number) => string, filterId: number | undefined, ids: Iterable<number>): string[] {
  const unique = new Set(ids);
  if (filterId !== undefined) unique.add(filterId);
  return [broad, ...[...unique].map(tagOf)];
}

export const productTag = (productId: number): string => `product:${productId}`;
export const clientTag = (clientId: number): string => `client:${clientId}`;
export const expertSessionTag = (sessionId: number): string => `expert_session:${sessionId}`;
export const chatTag = (chatId: number): string => `chat:${chatId}`;

/**
 * A user's chat list. The `sub` is hashed: a JWT subject may be any length and contain any
 * character, a tag may not, and SQL computes the same `md5(user_id)`.
 */
export const userChatsTag = (userId: string): string => `chats:user:${createHash('md5').update(userId, 'utf8').digest('hex')}`;
