import { Module } from '@nestjs/common';
import { LearningDataModule } from '../domain/index.js';
import { ExpertSessionsController } from './expert-sessions.controller.js';
import { ExpertSessionsService } from './expert-sessions.service.js';
import { WatchProgressQueueModule } from './write-behind/index.js';

/** Expert sessions and their viewing statistics. */
@Module({
  imports: [LearningDataModule, WatchProgressQueueModule],
  controllers: [ExpertSessionsController],
  providers: [ExpertSessionsService],
  exports: [ExpertSessionsService],
})
export class ExpertSessionsModule {}
