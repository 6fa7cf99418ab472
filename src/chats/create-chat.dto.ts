import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** Body of `POST /chats`. */
export class CreateChatDto {
  @ApiProperty({ example: 'Help with my capstone project', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  readonly title!: string;
}
