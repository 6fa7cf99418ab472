import { Injectable, NotFoundException } from '@nestjs/common';
import { Cached, InvalidateTags } from '@tiered-cache/nestjs';
import { DataSource } from 'typeorm';
import { CHATS_TAG, chatTag, userChatsTag } from '../domain/index.js';
import type { ChatRole } from './chat-message.entity.js';
import type { ChatDetailDto, ChatMessageDto, ChatMessagePageDto, ChatSummaryDto } from './chat.dto.js';
import {
  CHAT_DETAIL_SQL,
  CREATE_CHAT_SQL,
  DELETE_CHAT_SQL,
  MESSAGE_PAGE_SQL,
  POST_MESSAGE_SQL,
  RECENT_CHATS_SQL,
} from './chats.queries.js';
import type { CreateChatDto } from './create-chat.dto.js';
import type { PostMessageDto } from './post-message.dto.js';

interface ChatDetailRow extends Omit<ChatDetailDto, 'lastMessage'> {
  lastMessageId: number | null;
  lastMessageRole: ChatRole | null;
  lastMessagePreview: string | null;
  lastMessageAt: Date | null;
}

function toDetail(row: ChatDetailRow): ChatDetailDto {
  const { lastMessageId, lastMessageRole, lastMessagePreview, lastMessageAt, ...chat } = row;
  const lastMessage =
    lastMessageId === null ? null : { id: lastMessageId, role: lastMessageRole!, preview: lastMessagePreview!, createdAt: lastMessageAt! };
  return { ...chat, lastMessage };
}

function notFound(chatId: number): NotFoundException {
  return new NotFoundException(`Chat ${chatId} not found`);
}

/**
 * A user's chats (seed 004: PostgreSQL is the source of truth, the cache holds copies).
 *
 * Every read takes the owner as its first argument and filters on it in SQL, and is also
 * `scope: 'user'`: the key starts with the caller's JWT `sub` from the request's cache context. So a
 * chat of someone else is a miss that runs the query and finds nothing (404, never cached), and an
 * entry can only be served to the principal that filled it. Tags: `chats:user:<md5(sub)>` for the
 * list, `chat:<id>` per chat, and `chats` on everything.
 */
@Injectable()
export class ChatsService {
  constructor(private readonly db: DataSource) {}

  /** The owner's 50 most recently active chats. Cached 5 minutes. */
  @Cached<[string], ChatSummaryDto[]>({
    scope: 'user',
    key: (userId) => `chats:recent:${userId}`,
    ttl: '5m',
    tags: ([userId]) => [CHATS_TAG, userChatsTag(userId)],
  })
  async recent(userId: string): Promise<ChatSummaryDto[]> {
    return this.db.query(RECENT_CHATS_SQL, [userId]);
  }

  /** One chat with its metadata and newest message. Cached 30 minutes. */
  @Cached<[string, number], ChatDetailDto>({
    scope: 'user',
    key: (userId, chatId) => `chats:one:${userId}:${chatId}`,
    ttl: '30m',
    tags: ([, chatId]) => [CHATS_TAG, chatTag(chatId)],
  })
  async get(userId: string, chatId: number): Promise<ChatDetailDto> {
    const [row] = (await this.db.query(CHAT_DETAIL_SQL, [chatId, userId])) as ChatDetailRow[];
    if (!row) throw notFound(chatId);
    return toDetail(row);
  }

  /** A page of messages, newest first, older than `before`. Cached 15 minutes. */
  @Cached<[string, number, number | undefined, number], ChatMessagePageDto>({
    scope: 'user',
    key: (userId, chatId, before, limit) => `chats:messages:${userId}:${chatId}:${before ?? 'latest'}:${limit}`,
    ttl: '15m',
    tags: ([, chatId]) => [CHATS_TAG, chatTag(chatId)],
  })
  async messages(userId: string, chatId: number, before: number | undefined, limit: number): Promise<ChatMessagePageDto> {
    const rows = (await this.db.query(MESSAGE_PAGE_SQL, [chatId, userId, before ?? null, limit + 1])) as Array<
      Omit<ChatMessageDto, 'chatId'> | { id: null }
    >;
    if (rows.length === 0) throw notFound(chatId);
    const messages = rows.filter((row): row is Omit<ChatMessageDto, 'chatId'> => row.id !== null).map((row) => ({ ...row, chatId }));
    const hasOlder = messages.length > limit;
    const items = hasOlder ? messages.slice(0, limit) : messages;
    return { items, nextBefore: hasOlder ? items[items.length - 1].id : null };
  }

  @InvalidateTags<[string, CreateChatDto], ChatDetailDto>(([userId]) => [userChatsTag(userId)])
  async create(userId: string, input: CreateChatDto): Promise<ChatDetailDto> {
    const [row] = (await this.db.query(CREATE_CHAT_SQL, [userId, input.title])) as Array<Omit<ChatDetailDto, 'lastMessage'>>;
    return { ...row, lastMessage: null };
  }

  @InvalidateTags<[string, number], void>(([userId, chatId]) => [userChatsTag(userId), chatTag(chatId)])
  async remove(userId: string, chatId: number): Promise<void> {
    const rows = (await this.db.query(DELETE_CHAT_SQL, [chatId, userId])) as unknown[];
    // node-postgres via TypeORM returns [rows, affected] for DELETE ... RETURNING.
    const deleted = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
    if (deleted.length === 0) throw notFound(chatId);
  }

  @InvalidateTags<[string, number, PostMessageDto], ChatMessageDto>(([userId, chatId]) => [userChatsTag(userId), chatTag(chatId)])
  async postMessage(userId: string, chatId: number, input: PostMessageDto): Promise<ChatMessageDto> {
    const [message] = (await this.db.query(POST_MESSAGE_SQL, [chatId, userId, input.role ?? 'user', input.content])) as ChatMessageDto[];
    if (!message) throw notFound(chatId);
    return message;
  }
}
