import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from './client.entity.js';
import { ExpertSessionProgress } from './expert-session-progress.entity.js';
import { ExpertSession } from './expert-session.entity.js';
import { LearningModule } from './learning-module.entity.js';
import { Product } from './product.entity.js';
import { StudentModuleProgress } from './student-module-progress.entity.js';
import { Student } from './student.entity.js';

/** The learning-domain entities, registered together because their relations reach each other. */
export const LEARNING_ENTITIES = [Client, Product, LearningModule, Student, StudentModuleProgress, ExpertSession, ExpertSessionProgress];

/** Makes the learning-domain repositories injectable (`@InjectRepository(ExpertSession)`). */
@Module({
  imports: [TypeOrmModule.forFeature(LEARNING_ENTITIES)],
  exports: [TypeOrmModule],
})
export class LearningDataModule {}
