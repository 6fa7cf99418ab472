import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser, type Principal } from '../auth/index.js';
import { IdParamDto } from '../domain/index.js';
import { ModuleProgressDto } from './module-progress.dto.js';
import { RecordModuleProgressDto } from './record-module-progress.dto.js';
import { StudentProgressService } from './student-progress.service.js';

/** `/students`: progress writes. */
@ApiTags('analytics')
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@Controller('students')
export class StudentsController {
  constructor(private readonly progress: StudentProgressService) {}

  @Post(':id/module-progress')
  @HttpCode(200)
  @ApiOperation({ summary: "Record a student's progress in a module (admin, or the student themself)" })
  @ApiOkResponse({ type: ModuleProgressDto })
  @ApiBadRequestResponse({ description: 'Invalid input; `message` names each failing field' })
  @ApiForbiddenResponse({ description: "Not an admin and not this student's account" })
  @ApiNotFoundResponse({ description: 'No such student (admins only; others get 403)' })
  record(@Param() { id }: IdParamDto, @CurrentUser() caller: Principal, @Body() body: RecordModuleProgressDto): Promise<ModuleProgressDto> {
    return this.progress.record(id, caller, body);
  }
}
