import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/index.js';
import { MAX_INT_ID } from '../domain/index.js';
import { ChatEventsService } from './chat-events.service.js';

/** Where {@link ChatStreamGuard} leaves the chat's newest message id for the handler. */
export const CHAT_STREAM_LAST_ID = Symbol('chat-stream-last-id');

export type ChatStreamRequest = AuthenticatedRequest & { params: Record<string, string | undefined>; [CHAT_STREAM_LAST_ID]?: number };

/**
 * Checks, before `GET /chats/:id/events` opens its stream, that the chat is the caller's (404
 * otherwise). It has to happen here: once an SSE handler's Observable is subscribed, Nest commits a
 * 200 and can only report a later failure as an `error` event. An id that is not a valid id is let
 * through, for the validation pipe to answer with a 400 naming `id`.
 */
@Injectable()
export class ChatStreamGuard implements CanActivate {
  constructor(private readonly events: ChatEventsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ChatStreamRequest>();
    const raw = request.params.id ?? '';
    const id = Number(raw);
    if (!request.user || !/^\d+$/.test(raw) || id < 1 || id > MAX_INT_ID) return true;
    request[CHAT_STREAM_LAST_ID] = await this.events.lastMessageId(request.user.sub, id);
    return true;
  }
}
