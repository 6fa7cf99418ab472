import { ApiProperty } from '@nestjs/swagger';
import { PROGRESS_STATUSES, type ProgressStatus } from '../domain/index.js';

/** A student's stored progress in one module. */
export class ModuleProgressDto {
  @ApiProperty({ example: 15 })
  studentId!: number;

  @ApiProperty({ example: 12 })
  moduleId!: number;

  @ApiProperty({ example: 2, description: 'The product the module belongs to' })
  productId!: number;

  @ApiProperty({ example: 1, description: "The product's client" })
  clientId!: number;

  @ApiProperty({ enum: PROGRESS_STATUSES })
  status!: ProgressStatus;

  @ApiProperty({ example: 40 })
  progressPercentage!: number;

  @ApiProperty({ type: Number, nullable: true })
  score!: number | null;

  @ApiProperty({ type: Date, nullable: true })
  startedAt!: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  completedAt!: Date | null;

  @ApiProperty()
  updatedAt!: Date;
}
