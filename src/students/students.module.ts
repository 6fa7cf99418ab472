import { Module } from '@nestjs/common';
import { StudentProgressService } from './student-progress.service.js';
import { StudentsController } from './students.controller.js';

/** Students' module progress (the write side of the analytics). */
@Module({
  controllers: [StudentsController],
  providers: [StudentProgressService],
})
export class StudentsModule {}
