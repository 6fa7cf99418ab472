import { BadRequestException, ForbiddenException, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Cached, CachedMany, InvalidateTags } from '@tiered-cache/nestjs';
import { WriteBehindUnavailableError } from '@tiered-cache/nestjs/write-behind';
import { DataSource, Repository } from 'typeorm';
import { EXPERT_SESSIONS_TAG, ExpertSession, expertSessionTag, FOREIGN_KEY_VIOLATION, listTags, productTag, sqlState } from '../domain/index.js';
import type { CreateExpertSessionDto } from './create-expert-session.dto.js';
import type { ExpertSessionWithStatsDto, WatchProgressDto } from './expert-session.dto.js';
import {
  LIST_WITH_STATS_SQL,
  MANY_WITH_STATS_SQL,
  ONE_WITH_STATS_SQL,
  UPSERT_WATCH_PROGRESS_SQL,
  WATCH_CONTEXT_SQL,
} from './expert-sessions.queries.js';
import type { RecordWatchProgressDto } from './record-watch-progress.dto.js';
import type { UpdateExpertSessionDto } from './update-expert-session.dto.js';
import { progressReport, WatchProgressWriteBehind, type WatchProgressWrite } from './write-behind/index.js';

const PRODUCT_MISSING = ['productId must reference an existing product'];

/** Expert sessions with their viewing statistics; reads cached, writes invalidating. */
@Injectable()
export class ExpertSessionsService {
  constructor(
    private readonly db: DataSource,
    @InjectRepository(ExpertSession) private readonly sessions: Repository<ExpertSession>,
    private readonly progressQueue: WatchProgressWriteBehind,
  ) {}

  /**
   * Every session (of one product, if given) with viewers, completions and average progress.
   * Cached 5 minutes. Every list carries `expert_sessions` (dropped whenever the set of sessions may
   * change), plus `product:<id>` of the filter and of every product listed, so progress on one
   * product's sessions leaves the other products' lists cached.
   */
  @Cached<[number | undefined], ExpertSessionWithStatsDto[]>({
    key: (productId) => `expert-sessions:list:${productId ?? 'all'}`,
    ttl: '5m',
    tags: ([productId], sessions) => listTags(EXPERT_SESSIONS_TAG, productTag, productId, sessions.map((s) => s.productId)),
  })
  async listWithStats(productId?: number): Promise<ExpertSessionWithStatsDto[]> {
    return this.db.query(LIST_WITH_STATS_SQL, [productId ?? null]);
  }

  /** One session with its statistics. Cached 5 minutes, tags `expert_session:<id>`, `product:<id>`. */
  @Cached<[number], ExpertSessionWithStatsDto>({
    key: (id) => `expert-sessions:one:${id}`,
    ttl: '5m',
    tags: ([id], session) => [expertSessionTag(id), productTag(session.productId)],
  })
  async getWithStats(id: number): Promise<ExpertSessionWithStatsDto> {
    return this.loadOne(id);
  }

  /**
   * Several sessions by id, in the order asked, from the same entries as {@link getWithStats}: only
   * the ids no tier holds are read, in one statement. An id without a session fails the whole call
   * with 404 naming it (and caches nothing of that call: a cached `null` would answer the single read).
   */
  @CachedMany<number, ExpertSessionWithStatsDto>({
    key: (id) => `expert-sessions:one:${id}`,
    ttl: '5m',
    tags: (session) => [expertSessionTag(session.id), productTag(session.productId)],
  })
  async getManyWithStats(ids: number[]): Promise<ExpertSessionWithStatsDto[]> {
    const rows = (await this.db.query(MANY_WITH_STATS_SQL, [ids])) as ExpertSessionWithStatsDto[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) throw new NotFoundException(`Expert sessions not found: ${missing.join(', ')}`);
    return ids.map((id) => byId.get(id)!);
  }

  @InvalidateTags<[CreateExpertSessionDto], ExpertSessionWithStatsDto>((_args, session) => [
    EXPERT_SESSIONS_TAG,
    productTag(session.productId),
    expertSessionTag(session.id),
  ])
  async create(input: CreateExpertSessionDto): Promise<ExpertSessionWithStatsDto> {
    let id: number;
    try {
      const result = await this.sessions.insert({ ...input, description: input.description ?? null, isActive: input.isActive ?? true });
      id = (result.identifiers[0] as { id: number }).id;
    } catch (error) {
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw new BadRequestException(PRODUCT_MISSING);
      throw error;
    }
    return this.loadOne(id);
  }

  /**
   * Every list carries `expert_sessions`, so it covers the lists of the product a session moved
   * away from as well as the one it moved to.
   */
  @InvalidateTags<[number, UpdateExpertSessionDto], ExpertSessionWithStatsDto>(([id], session) => [
    EXPERT_SESSIONS_TAG,
    expertSessionTag(id),
    productTag(session.productId),
  ])
  async update(id: number, patch: UpdateExpertSessionDto): Promise<ExpertSessionWithStatsDto> {
    if (Object.keys(patch).length === 0) throw new BadRequestException(['body must set at least one field']);
    try {
      const result = await this.sessions.update({ id }, patch);
      if (result.affected === 0) throw new NotFoundException(`Expert session ${id} not found`);
    } catch (error) {
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw new BadRequestException(PRODUCT_MISSING);
      throw error;
    }
    return this.loadOne(id);
  }

  /**
   * Records that the caller (a student, by JWT `sub`) watched a session of one of their client's
   * products. Invalidates that session and its product's lists. With `WRITE_BEHIND=true` the report
   * is queued (answered once Redis holds it, 503 when Redis cannot take it) and the statistics follow
   * when it is flushed (docs/write-behind.md).
   */
  @InvalidateTags<[number, string, RecordWatchProgressDto], WatchProgressDto>((_args, progress) => [
    expertSessionTag(progress.expertSessionId),
    productTag(progress.productId),
  ])
  async recordProgress(sessionId: number, userSub: string, input: RecordWatchProgressDto): Promise<WatchProgressDto> {
    const [context] = (await this.db.query(WATCH_CONTEXT_SQL, [sessionId, userSub])) as Array<{
      productId: number;
      clientId: number;
      studentId: number | null;
      studentClientId: number | null;
    }>;
    if (!context) throw new NotFoundException(`Expert session ${sessionId} not found`);
    if (context.studentId === null) throw new ForbiddenException(`User ${userSub} has no student profile`);
    if (context.studentClientId !== context.clientId) {
      throw new ForbiddenException(`Expert session ${sessionId} is not part of your programmes`);
    }
    if (this.progressQueue.enabled) return this.queueProgress(context.studentId, sessionId, context.productId, input);
    const [row] = (await this.db.query(UPSERT_WATCH_PROGRESS_SQL, [
      context.studentId,
      sessionId,
      input.watchTimeSeconds,
      input.progressPercentage,
    ])) as Array<Omit<WatchProgressDto, 'productId'>>;
    return { ...row, productId: context.productId };
  }

  private async queueProgress(studentId: number, sessionId: number, productId: number, input: RecordWatchProgressDto): Promise<WatchProgressDto> {
    let row: WatchProgressWrite;
    try {
      row = await this.progressQueue.record(studentId, sessionId, progressReport(input.watchTimeSeconds, input.progressPercentage, new Date()));
    } catch (error) {
      if (error instanceof WriteBehindUnavailableError) {
        throw new ServiceUnavailableException('Watch progress cannot be recorded now: its queue (Redis) is unavailable. Nothing was recorded; retry later.');
      }
      throw error;
    }
    return {
      expertSessionId: sessionId,
      productId,
      studentId,
      watchTimeSeconds: row.watchTimeSeconds,
      progressPercentage: row.progressPercentage,
      isCompleted: row.completedAt !== null,
      completedAt: row.completedAt === null ? null : new Date(row.completedAt),
      lastWatchedAt: new Date(row.lastWatchedAt),
    };
  }

  /** Uncached read, for writes to return the fresh row without filling the cache with it. */
  private async loadOne(id: number): Promise<ExpertSessionWithStatsDto> {
    const [session] = (await this.db.query(ONE_WITH_STATS_SQL, [id])) as ExpertSessionWithStatsDto[];
    if (!session) throw new NotFoundException(`Expert session ${id} not found`);
    return session;
  }
}
