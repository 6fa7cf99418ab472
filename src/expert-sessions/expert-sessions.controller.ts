import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser, Roles, type Principal } from '../auth/index.js';
import { IdParamDto } from '../domain/index.js';
import { CreateExpertSessionDto } from './create-expert-session.dto.js';
import { ExpertSessionWithStatsDto, WatchProgressDto } from './expert-session.dto.js';
import { ExpertSessionsByIdsQueryDto } from './expert-sessions-by-ids.query.dto.js';
import { ExpertSessionsService } from './expert-sessions.service.js';
import { ListExpertSessionsQueryDto } from './list-expert-sessions.query.dto.js';
import { RecordWatchProgressDto } from './record-watch-progress.dto.js';
import { UpdateExpertSessionDto } from './update-expert-session.dto.js';

/** `/expert-sessions`: any signed-in user reads; admins write; students record what they watched. */
@ApiTags('expert-sessions')
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@ApiBadRequestResponse({ description: 'Invalid input; `message` names each failing field' })
@Controller('expert-sessions')
export class ExpertSessionsController {
  constructor(private readonly sessions: ExpertSessionsService) {}

  @Get()
  @ApiOperation({ summary: 'Expert sessions with viewers, completions and average progress (cached 5 min)' })
  @ApiOkResponse({ type: [ExpertSessionWithStatsDto] })
  list(@Query() query: ListExpertSessionsQueryDto): Promise<ExpertSessionWithStatsDto[]> {
    return this.sessions.listWithStats(query.productId);
  }

  // Before ':id', which would otherwise take 'by-ids' for an id.
  @Get('by-ids')
  @ApiOperation({ summary: 'Several expert sessions by id, in the order asked (each cached 5 min, shared with GET /:id)' })
  @ApiOkResponse({ type: [ExpertSessionWithStatsDto] })
  @ApiNotFoundResponse({ description: 'Some id has no session; `message` names them' })
  byIds(@Query() { ids }: ExpertSessionsByIdsQueryDto): Promise<ExpertSessionWithStatsDto[]> {
    return this.sessions.getManyWithStats(ids);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One expert session with its statistics (cached 5 min)' })
  @ApiOkResponse({ type: ExpertSessionWithStatsDto })
  @ApiNotFoundResponse()
  get(@Param() { id }: IdParamDto): Promise<ExpertSessionWithStatsDto> {
    return this.sessions.getWithStats(id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create an expert session (admin)' })
  @ApiCreatedResponse({ type: ExpertSessionWithStatsDto })
  create(@Body() body: CreateExpertSessionDto): Promise<ExpertSessionWithStatsDto> {
    return this.sessions.create(body);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change an expert session (admin)' })
  @ApiOkResponse({ type: ExpertSessionWithStatsDto })
  @ApiNotFoundResponse()
  update(@Param() { id }: IdParamDto, @Body() body: UpdateExpertSessionDto): Promise<ExpertSessionWithStatsDto> {
    return this.sessions.update(id, body);
  }

  @Post(':id/progress')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that the current user (a student) watched this session' })
  @ApiOkResponse({ type: WatchProgressDto })
  @ApiNotFoundResponse()
  @ApiForbiddenResponse({ description: 'The caller has no student profile, or the session is not in their programmes' })
  @ApiServiceUnavailableResponse({ description: 'With WRITE_BEHIND=true: Redis cannot take the report; nothing was recorded (docs/write-behind.md)' })
  recordProgress(@Param() { id }: IdParamDto, @CurrentUser() user: Principal, @Body() body: RecordWatchProgressDto): Promise<WatchProgressDto> {
    return this.sessions.recordProgress(id, user.sub, body);
  }
}
