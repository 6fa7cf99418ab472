import { ApiProperty } from '@nestjs/swagger';
import { CHAT_ROLES, type ChatRole } from './chat-message.entity.js';

/** A chat in the caller's list. */
export class ChatSummaryDto {
  @ApiProperty({ example: 12 })
  id!: number;

  @ApiProperty({ example: 'Mock interview practice' })
  title!: string;

  @ApiProperty({ example: 14 })
  messageCount!: number;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty({ description: 'Creation, or the newest message' })
  lastActivityAt!: Date;
}

/** The newest message of a chat, shortened. */
export class ChatMessagePreviewDto {
  @ApiProperty({ example: 4031 })
  id!: number;

  @ApiProperty({ enum: CHAT_ROLES })
  role!: ChatRole;

  @ApiProperty({ description: 'The first 200 characters' })
  preview!: string;

  @ApiProperty()
  createdAt!: Date;
}

/** One chat with its metadata. */
export class ChatDetailDto extends ChatSummaryDto {
  @ApiProperty()
  updatedAt!: Date;

  @ApiProperty({ type: ChatMessagePreviewDto, nullable: true })
  lastMessage!: ChatMessagePreviewDto | null;
}

/** One message. */
export class ChatMessageDto {
  @ApiProperty({ example: 4031 })
  id!: number;

  @ApiProperty({ example: 12 })
  chatId!: number;

  @ApiProperty({ enum: CHAT_ROLES })
  role!: ChatRole;

  @ApiProperty()
  content!: string;

  @ApiProperty()
  createdAt!: Date;
}

/** A page of messages, newest first. */
export class ChatMessagePageDto {
  @ApiProperty({ type: [ChatMessageDto] })
  items!: ChatMessageDto[];

  @ApiProperty({ type: Number, nullable: true, description: 'Pass as `before` for the next (older) page; null on the last page' })
  nextBefore!: number | null;
}
