import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A conversation owned by one user (`chat_sessions`). `messageCount` and `lastActivityAt` are kept
 * by a database trigger on `chat_messages`, so never write them from the app.
 */
@Entity({ name: 'chat_sessions' })
export class ChatSession {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** The owner's JWT `sub`. */
  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ name: 'message_count', type: 'integer', insert: false, update: false })
  messageCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'last_activity_at', type: 'timestamptz', insert: false, update: false })
  lastActivityAt!: Date;
}
