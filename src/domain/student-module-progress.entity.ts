import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { LearningModule } from './learning-module.entity.js';
import { numericTransformer } from './numeric.transformer.js';
import { Student } from './student.entity.js';

export const PROGRESS_STATUSES = ['not_started', 'in_progress', 'completed'] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

/** A student's progress in one module (`student_module_progress`, one row per pair). */
@Entity({ name: 'student_module_progress' })
export class StudentModuleProgress {
  @PrimaryColumn({ name: 'student_id', type: 'integer' })
  studentId!: number;

  @PrimaryColumn({ name: 'module_id', type: 'integer' })
  moduleId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;

  @ManyToOne(() => LearningModule, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'module_id' })
  module?: LearningModule;

  @Column({ type: 'text' })
  status!: ProgressStatus;

  @Column({ name: 'progress_percentage', type: 'smallint' })
  progressPercentage!: number;

  @Column({ type: 'numeric', precision: 5, scale: 2, nullable: true, transformer: numericTransformer })
  score!: number | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
