import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { MAX_MESSAGE_LENGTH } from './chat-message.entity.js';

/** Roles a client may post as; `system` messages are not written through the API. */
export const POSTABLE_ROLES = ['user', 'assistant'] as const;

/** Body of `POST /chats/:id/messages`. */
export class PostMessageDto {
  @ApiProperty({ example: 'How do I prepare for a system design interview?', minLength: 1, maxLength: MAX_MESSAGE_LENGTH })
  @IsString()
  @Length(1, MAX_MESSAGE_LENGTH)
  readonly content!: string;

  @ApiPropertyOptional({ enum: POSTABLE_ROLES, default: 'user', description: 'assistant: a reply the client produced (e.g. streamed from a model)' })
  @IsOptional()
  @IsIn(POSTABLE_ROLES)
  readonly role?: (typeof POSTABLE_ROLES)[number];
}
