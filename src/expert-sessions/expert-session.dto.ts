import { ApiProperty } from '@nestjs/swagger';

/** An expert session with its viewing statistics (seed 003's `get_expert_sessions_with_stats`). */
export class ExpertSessionWithStatsDto {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 2 })
  productId!: number;

  @ApiProperty({ example: 'Data Analytics' })
  productName!: string;

  @ApiProperty({ example: 'System Design Interviews, Demystified (part 3)' })
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ example: 'https://videos.example.com/expert-sessions/2-3.mp4' })
  videoUrl!: string;

  @ApiProperty({ example: 3120 })
  videoDurationSeconds!: number;

  @ApiProperty()
  isActive!: boolean;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;

  @ApiProperty({ description: 'Students who watched any part of it', example: 412 })
  viewers!: number;

  @ApiProperty({ description: 'Students who watched at least 90%', example: 230 })
  completions!: number;

  @ApiProperty({ description: 'Average progress of the viewers, in percent (one decimal)', example: 71.4 })
  averageProgress!: number;
}

/** The caller's progress on one expert session, after recording a watch. */
export class WatchProgressDto {
  @ApiProperty({ example: 7 })
  expertSessionId!: number;

  @ApiProperty({ example: 2 })
  productId!: number;

  @ApiProperty({ example: 15 })
  studentId!: number;

  @ApiProperty({ example: 1800 })
  watchTimeSeconds!: number;

  @ApiProperty({ example: 60 })
  progressPercentage!: number;

  @ApiProperty()
  isCompleted!: boolean;

  @ApiProperty({ type: Date, nullable: true })
  completedAt!: Date | null;

  @ApiProperty()
  lastWatchedAt!: Date;
}
