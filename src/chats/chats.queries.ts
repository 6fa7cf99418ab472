/*
 * SQL of the chat endpoints. Every statement filters on the owner (`user_id = $2` or `$1`), so a
 * chat of another user is simply not found: there is no separate ownership check to forget.
 * Message ids are `bigint`; they are read as `float8`, which node-postgres returns as a number and
 * which is exact up to 2^53.
 */

/** How many chats `GET /chats` lists. */
export const RECENT_CHATS_LIMIT = 50;

/** `$1` owner. Served by `chat_sessions_user_recent_idx`, already in order. */
export const RECENT_CHATS_SQL = `
SELECT id, title, message_count AS "messageCount", created_at AS "createdAt", last_activity_at AS "lastActivityAt"
FROM chat_sessions
WHERE user_id = $1
ORDER BY last_activity_at DESC, id DESC
LIMIT ${RECENT_CHATS_LIMIT}`;

/** `$1` chat, `$2` owner: the chat and its newest message (first 200 characters). */
export const CHAT_DETAIL_SQL = `
SELECT c.id, c.title, c.message_count AS "messageCount", c.created_at AS "createdAt", c.updated_at AS "updatedAt",
       c.last_activity_at AS "lastActivityAt",
       lm.id::float8 AS "lastMessageId", lm.role AS "lastMessageRole", left(lm.content, 200) AS "lastMessagePreview",
       lm.created_at AS "lastMessageAt"
FROM chat_sessions c
LEFT JOIN LATERAL (
  SELECT id, role, content, created_at FROM chat_messages WHERE chat_id = c.id ORDER BY id DESC LIMIT 1
) lm ON true
WHERE c.id = $1 AND c.user_id = $2`;

/**
 * `$1` chat, `$2` owner, `$3` before (or NULL), `$4` page size + 1 (the extra row tells whether an
 * older page exists). No row: not the caller's chat. One row with a NULL id: no messages.
 */
export const MESSAGE_PAGE_SQL = `
SELECT m.id::float8 AS id, m.role, m.content, m.created_at AS "createdAt"
FROM chat_sessions c
LEFT JOIN LATERAL (
  SELECT id, role, content, created_at FROM chat_messages
  WHERE chat_id = c.id AND ($3::bigint IS NULL OR id < $3::bigint)
  ORDER BY id DESC
  LIMIT $4::int
) m ON true
WHERE c.id = $1 AND c.user_id = $2`;

/** `$1` owner, `$2` title. */
export const CREATE_CHAT_SQL = `
INSERT INTO chat_sessions (user_id, title) VALUES ($1, $2)
RETURNING id, title, message_count AS "messageCount", created_at AS "createdAt", updated_at AS "updatedAt",
          last_activity_at AS "lastActivityAt"`;

/** `$1` chat, `$2` owner. The messages go with it (ON DELETE CASCADE). */
export const DELETE_CHAT_SQL = `DELETE FROM chat_sessions WHERE id = $1 AND user_id = $2 RETURNING id`;

/** `$1` chat, `$2` owner, `$3` role, `$4` content. No row: not the caller's chat. */
export const POST_MESSAGE_SQL = `
INSERT INTO chat_messages (chat_id, role, content)
SELECT c.id, $3, $4 FROM chat_sessions c WHERE c.id = $1 AND c.user_id = $2
RETURNING id::float8 AS id, chat_id AS "chatId", role, content, created_at AS "createdAt"`;

/** `$1` chat, `$2` owner: the newest message id (0 if none); no row if not the caller's chat. */
export const EVENTS_CURSOR_SQL = `
SELECT coalesce((SELECT max(id) FROM chat_messages WHERE chat_id = c.id), 0)::float8 AS "lastId"
FROM chat_sessions c
WHERE c.id = $1 AND c.user_id = $2`;

/** Rows per read of new messages for SSE; a bigger backlog is read in several batches. */
export const EVENTS_FETCH_BATCH = 500;

/** `$1` chat, `$2` cursor: messages after it, with the chat's current owner. */
export const EVENTS_FETCH_SQL = `
SELECT m.id::float8 AS id, m.chat_id AS "chatId", m.role, m.content, m.created_at AS "createdAt", c.user_id AS "userId"
FROM chat_messages m
JOIN chat_sessions c ON c.id = m.chat_id
WHERE m.chat_id = $1 AND m.id > $2
ORDER BY m.id
LIMIT ${EVENTS_FETCH_BATCH}`;
