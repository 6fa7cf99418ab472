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

export const productTag = (productId: number): string => `product:${productId}`;
export const clientTag = (clientId: number): string => `client:${clientId}`;
export const expertSessionTag = (sessionId: number): string => `expert_session:${sessionId}`;
export const chatTag = (chatId: number): string => `chat:${chatId}`;

/**
 * A user's chat list. The `sub` is hashed: a JWT subject may be any length and contain any
 * character, a tag may not, and SQL computes the same `md5(user_id)`.
 */
export const userChatsTag = (userId: string): string => `chats:user:${createHash('md5').update(userId, 'utf8').digest('hex')}`;
