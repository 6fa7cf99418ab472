import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ExpertSession } from './expert-session.entity.js';
import { Student } from './student.entity.js';

/** How far a student watched one expert session (`expert_session_progress`, one row per pair). */
@Entity({ name: 'expert_session_progress' })
export class ExpertSessionProgress {
  @PrimaryColumn({ name: 'student_id', type: 'integer' })
  studentId!: number;

  @PrimaryColumn({ name: 'expert_session_id', type: 'integer' })
  expertSessionId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;

  @ManyToOne(() => ExpertSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'expert_session_id' })
  expertSession?: ExpertSession;

  @Column({ name: 'watch_time_seconds', type: 'integer' })
  watchTimeSeconds!: number;

  @Column({ name: 'progress_percentage', type: 'smallint' })
  progressPercentage!: number;

  @Column({ name: 'is_completed', type: 'boolean' })
  isCompleted!: boolean;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'last_watched_at', type: 'timestamptz' })
  lastWatchedAt!: Date;
}
