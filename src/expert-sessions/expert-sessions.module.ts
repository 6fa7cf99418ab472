import { Module } from '@nestjs/common';
import { LearningDataModule } from '../domain/index.js';
import { ExpertSessionsController } from './expert-sessions.controller.js';
import { ExpertSessionsService } from './expert-sessions.service.js';

/** Expert sessions and their viewing statistics. */
@Module({
  imports: [LearningDataModule],
  controllers: [ExpertSessionsController],
  providers: [ExpertSessionsService],
  exports: [ExpertSessionsService],
})
export class ExpertSessionsModule {}
