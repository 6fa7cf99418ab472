import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Sse,
  UseGuards,
  UseInterceptors,
  type MessageEvent,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { CurrentUser, type Principal } from '../auth/index.js';
import { IdParamDto } from '../domain/index.js';
import { ChatEventsService } from './chat-events.service.js';
import { ChatStreamLimitInterceptor } from './chat-stream-limit.interceptor.js';
import { CHAT_STREAM_LAST_ID, ChatStreamGuard, type ChatStreamRequest } from './chat-stream.guard.js';
import { ChatDetailDto, ChatMessageDto, ChatMessagePageDto, ChatSummaryDto } from './chat.dto.js';
import { ChatsService } from './chats.service.js';
import { CreateChatDto } from './create-chat.dto.js';
import { DEFAULT_PAGE_SIZE, ListMessagesQueryDto } from './list-messages.query.dto.js';
import { PostMessageDto } from './post-message.dto.js';

/** `Last-Event-ID` as sent by a reconnecting EventSource; absent means "from now on". */
function parseLastEventId(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const value = Number(header);
  if (!/^\d+$/.test(header) || !Number.isSafeInteger(value)) throw new BadRequestException(['Last-Event-ID must be a non-negative integer']);
  return value;
}

/** `/chats`: the caller's own chats only; anyone else's is a 404. */
@ApiTags('chats')
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@ApiBadRequestResponse({ description: 'Invalid input; `message` names each failing field' })
@Controller('chats')
export class ChatsController {
  constructor(
    private readonly chats: ChatsService,
    private readonly chatEvents: ChatEventsService,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's 50 most recently active chats (cached 5 min)" })
  @ApiOkResponse({ type: [ChatSummaryDto] })
  list(@CurrentUser() user: Principal): Promise<ChatSummaryDto[]> {
    return this.chats.recent(user.sub);
  }

  @Post()
  @ApiOperation({ summary: 'Start a chat' })
  @ApiCreatedResponse({ type: ChatDetailDto })
  create(@CurrentUser() user: Principal, @Body() body: CreateChatDto): Promise<ChatDetailDto> {
    return this.chats.create(user.sub, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One chat with its metadata and newest message (cached 30 min)' })
  @ApiOkResponse({ type: ChatDetailDto })
  @ApiNotFoundResponse({ description: 'No such chat, or not the caller\'s' })
  get(@CurrentUser() user: Principal, @Param() { id }: IdParamDto): Promise<ChatDetailDto> {
    return this.chats.get(user.sub, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a chat and its messages' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such chat, or not the caller\'s' })
  remove(@CurrentUser() user: Principal, @Param() { id }: IdParamDto): Promise<void> {
    return this.chats.remove(user.sub, id);
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'A page of messages, newest first; keyset pagination with `before` (cached 15 min)' })
  @ApiOkResponse({ type: ChatMessagePageDto })
  @ApiNotFoundResponse({ description: 'No such chat, or not the caller\'s' })
  messages(@CurrentUser() user: Principal, @Param() { id }: IdParamDto, @Query() query: ListMessagesQueryDto): Promise<ChatMessagePageDto> {
    return this.chats.messages(user.sub, id, query.before, query.limit ?? DEFAULT_PAGE_SIZE);
  }

  @Post(':id/messages')
  @ApiOperation({ summary: 'Post a message' })
  @ApiCreatedResponse({ type: ChatMessageDto })
  @ApiNotFoundResponse({ description: 'No such chat, or not the caller\'s' })
  postMessage(@CurrentUser() user: Principal, @Param() { id }: IdParamDto, @Body() body: PostMessageDto): Promise<ChatMessageDto> {
    return this.chats.postMessage(user.sub, id, body);
  }

  @Sse(':id/events')
  @UseGuards(ChatStreamGuard)
  @UseInterceptors(ChatStreamLimitInterceptor)
  @ApiOperation({
    summary: 'Server-Sent Events: `ready`, then `message` (id = message id) for each new message from any instance, `deleted`, `ping`',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this message id' })
  @ApiOkResponse({
    description: 'An event stream',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: 'event: message\nid: 4031\ndata: {"id":4031,"chatId":12,"role":"user","content":"Hi","createdAt":"2026-11-22T10:00:00.000Z"}\n\n',
      },
    },
  })
  @ApiNotFoundResponse({ description: 'No such chat, or not the caller\'s' })
  @ApiTooManyRequestsResponse({ description: 'The caller already has SSE_MAX_STREAMS_PER_USER event streams open' })
  events(
    @CurrentUser() user: Principal,
    @Param() { id }: IdParamDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: ChatStreamRequest,
  ): Observable<MessageEvent> {
    const lastId = request[CHAT_STREAM_LAST_ID];
    // Set by ChatStreamGuard for every valid id; its absence would be a wiring mistake.
    if (lastId === undefined) throw new NotFoundException(`Chat ${id} not found`);
    return this.chatEvents.stream(user.sub, id, lastId, parseLastEventId(lastEventId));
  }
}
