/** Channel the chat triggers notify on (see the trigger migration). */
export const CHAT_EVENTS_CHANNEL = 'chat_events';

/** New messages of one chat in one statement: ids `firstId`..`lastId` (not necessarily contiguous). */
export interface NewMessagesEvent {
  readonly chatId: number;
  readonly userId: string;
  readonly firstId: number;
  readonly lastId: number;
}

export interface DeletedChatEvent {
  readonly chatId: number;
  readonly userId: string;
}

export interface ChatEventsPayload {
  readonly messages: NewMessagesEvent[];
  readonly deleted: DeletedChatEvent[];
}

/**
 * Parses `{"messages":[[chat, owner, first, last], ...]}` or `{"deleted":[[chat, owner], ...]}`.
 * Anything malformed is dropped entry by entry: a payload is never trusted to be well formed.
 */
export function parseChatEventsPayload(payload: string): ChatEventsPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { messages: [], deleted: [] };
  }
  const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { messages?: unknown; deleted?: unknown };
  const messages: NewMessagesEvent[] = [];
  for (const entry of Array.isArray(body.messages) ? body.messages : []) {
    if (!Array.isArray(entry)) continue;
    const [chatId, userId, firstId, lastId] = entry as unknown[];
    if (isId(chatId) && typeof userId === 'string' && isId(firstId) && isId(lastId)) messages.push({ chatId, userId, firstId, lastId });
  }
  const deleted: DeletedChatEvent[] = [];
  for (const entry of Array.isArray(body.deleted) ? body.deleted : []) {
    if (!Array.isArray(entry)) continue;
    const [chatId, userId] = entry as unknown[];
    if (isId(chatId) && typeof userId === 'string') deleted.push({ chatId, userId });
  }
  return { messages, deleted };
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
