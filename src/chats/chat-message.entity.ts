import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ChatSession } from './chat-session.entity.js';

export const CHAT_ROLES = ['user', 'assistant', 'system'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** The longest message the API and the database accept, in characters. */
export const MAX_MESSAGE_LENGTH = 4000;

/** One message of a chat (`chat_messages`). Ids only grow, so they order a chat's messages. */
@Entity({ name: 'chat_messages' })
export class ChatMessage {
  /** `bigint` in SQL, so node-postgres returns a string; the API turns it into a number (exact up to 2^53). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'chat_id', type: 'integer' })
  chatId!: number;

  @ManyToOne(() => ChatSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chat_id' })
  chat?: ChatSession;

  @Column({ type: 'text' })
  role!: ChatRole;

  @Column({ type: 'text' })
  content!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
