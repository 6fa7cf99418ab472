import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheSyncModule } from '../cache/index.js';
import { ChatEventsService } from './chat-events.service.js';
import { ChatMessage } from './chat-message.entity.js';
import { ChatStreamGuard } from './chat-stream.guard.js';
import { ChatSession } from './chat-session.entity.js';
import { ChatsController } from './chats.controller.js';
import { ChatsService } from './chats.service.js';

/** Per-user chats, their messages, and live events over SSE. */
@Module({
  imports: [TypeOrmModule.forFeature([ChatSession, ChatMessage]), CacheSyncModule],
  controllers: [ChatsController],
  providers: [ChatsService, ChatEventsService, ChatStreamGuard],
})
export class ChatsModule {}
