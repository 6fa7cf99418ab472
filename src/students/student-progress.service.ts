import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InvalidateTags } from '@tiered-cache/nestjs';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/index.js';
import { clientTag } from '../domain/index.js';
import type { ModuleProgressDto } from './module-progress.dto.js';
import type { RecordModuleProgressDto } from './record-module-progress.dto.js';
import { PROGRESS_CONTEXT_SQL, UPSERT_MODULE_PROGRESS_SQL } from './student-progress.queries.js';

/** The progress values a status implies, or the 400 messages (naming the field) when they clash. */
function resolveProgress(input: RecordModuleProgressDto): { progress: number; score: number | null } {
  const errors: string[] = [];
  const implied = input.status === 'completed' ? 100 : input.status === 'not_started' ? 0 : undefined;
  const progress = input.progressPercentage ?? implied ?? 0;
  if (implied !== undefined && progress !== implied) errors.push(`progressPercentage must be ${implied} when status is ${input.status}`);
  if (input.score !== undefined && input.status !== 'completed') errors.push('score must only be given when status is completed');
  if (errors.length > 0) throw new BadRequestException(errors);
  return { progress, score: input.score ?? null };
}

/** Module progress of students, written by the student or an admin. */
@Injectable()
export class StudentProgressService {
  constructor(private readonly db: DataSource) {}

  /**
   * Records a student's progress in one module. A non-admin may only write their own (their JWT
   * `sub` is the student's `user_sub`); whether another student exists is not revealed to them.
   * Invalidates the performance reports of the module's client.
   */
  @InvalidateTags<[number, Principal, RecordModuleProgressDto], ModuleProgressDto>((_args, progress) => [clientTag(progress.clientId)])
  async record(studentId: number, caller: Principal, input: RecordModuleProgressDto): Promise<ModuleProgressDto> {
    const { progress, score } = resolveProgress(input);
    const [context] = (await this.db.query(PROGRESS_CONTEXT_SQL, [studentId, input.moduleId])) as Array<{
      userSub: string;
      productId: number | null;
      clientId: number | null;
    }>;
    const isAdmin = caller.role === 'admin';
    if (!isAdmin && context?.userSub !== caller.sub) throw new ForbiddenException('You may only record your own progress');
    if (!context) throw new NotFoundException(`Student ${studentId} not found`);
    if (context.productId === null || context.clientId === null) throw new BadRequestException(['moduleId must reference an existing module']);

    const [row] = (await this.db.query(UPSERT_MODULE_PROGRESS_SQL, [studentId, input.moduleId, input.status, progress, score])) as Array<
      Omit<ModuleProgressDto, 'productId' | 'clientId'>
    >;
    return { ...row, productId: context.productId, clientId: context.clientId };
  }
}
