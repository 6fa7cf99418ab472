import {
  BadRequestException,
  Body,
  ConflictException,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotImplementedException,
  Optional,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { TIERED_CACHE_ALERTS_OPTIONS } from '../alerts/alerts.constants.js';
import { CacheCleanupService, OpsStoreMissingError } from '../maintenance/cache-cleanup.service.js';
import { CacheWarmerRegistry, UnknownWarmerError } from '../maintenance/cache-warmers.js';
import { AdminAction } from './admin-audit.interceptor.js';
import { CacheAdminAudit } from './admin-audit.service.js';
import { TIERED_CACHE_ADMIN_CONFIRMATIONS } from './admin.constants.js';
import {
  AuditQuery,
  ClearCacheBody,
  CleanupLogQuery,
  EntryKeyParams,
  InvalidateTagsBody,
  ListEntriesQuery,
  MAX_TAGS_PER_CALL,
  WarmBody,
} from './admin.dto.js';
import { principalName } from './admin.guard.js';
import type { AdminPrincipal } from './admin.options.js';
import { CacheAdminService, NoL3Error } from './cache-admin.service.js';
import type { ConfirmationStore } from './confirmations.js';
import { PolicySuggestionsService } from './policy-suggestions.service.js';
import { CacheStatsHistory, type StatsTimeseries } from './stats-history.js';
import { AdminApi } from './admin-api.decorator.js';

/**
 * The cache admin API, under `/admin/cache` by default. The app's auth guard authenticates and sets
 * `req.user`; {@link TieredCacheAdminGuard} then requires the admin role.
 */
@AdminApi()
export class TieredCacheAdminController {
  constructor(
    private readonly admin: CacheAdminService,
    private readonly audit: CacheAdminAudit,
    @Inject(TIERED_CACHE_ADMIN_CONFIRMATIONS) private readonly confirmations: ConfirmationStore,
    private readonly history: CacheStatsHistory,
    private readonly moduleRef: ModuleRef,
    private readonly suggestions: PolicySuggestionsService,
    @Optional() private readonly cleanup?: CacheCleanupService,
    @Optional() private readonly warmers?: CacheWarmerRegistry,
  ) {}

  @Get('features')
  @AdminAction('features', 'read')
  @ApiOperation({ summary: 'Which optional modules this app registered (alerts), so the dashboard asks only for what exists' })
  features(): { alerts: boolean } {
    return { alerts: this.registered(TIERED_CACHE_ALERTS_OPTIONS) };
  }

  private registered(token: symbol): boolean {
    try {
      this.moduleRef.get(token, { strict: false });
      return true;
    } catch {
      return false;
    }
  }

  @Get('stats')
  @AdminAction('stats', 'read')
  @ApiOperation({ summary: 'Counters per tier (hits, misses, errors, latency p50/p99, hit ratio, circuit), overall ratios, L1 and L3 sizes' })
  stats(): Promise<Record<string, unknown>> {
    return this.admin.stats();
  }

  @Get('timeseries')
  @AdminAction('timeseries', 'read')
  @ApiOperation({
    summary: 'Samples of the last hour (one per 10 s by default), oldest first: hit ratio overall and per tier, p99 get/set latency per tier, invalidations per minute',
    description: 'Kept in memory on this instance; counters are deltas over each interval. Configured by the admin module option `history`.',
  })
  timeseries(): StatsTimeseries {
    const history = this.history.history;
    if (!history) throw new NotImplementedException('No stats history: the admin module was registered with history: false');
    return history.snapshot();
  }

  @Get('entries')
  @AdminAction('entries.list', 'read')
  @ApiOperation({ summary: 'Entry metadata from L3 (key, tags, size, hit count, times), filtered by tag or key prefix' })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  entries(@Query() query: ListEntriesQuery) {
    return this.withL3(() => this.admin.entries(query));
  }

  @Get('entries/:key')
  @AdminAction('entries.inspect', 'read')
  @ApiOperation({ summary: 'Where a key is present in each tier of this instance, and its remaining TTLs' })
  @ApiParam({ name: 'key', description: 'The cache key, URL-encoded' })
  inspect(@Param() params: EntryKeyParams) {
    return this.admin.inspect(params.key);
  }

  @Delete('entries/:key')
  @AdminAction('entries.delete', 'write')
  @ApiOperation({ summary: 'Deletes a key from every tier, on every instance' })
  @ApiParam({ name: 'key', description: 'The cache key, URL-encoded' })
  delete(@Param() params: EntryKeyParams) {
    return this.admin.delete(params.key);
  }

  @Post('invalidate')
  @HttpCode(200)
  @AdminAction('invalidate', 'write')
  @ApiOperation({ summary: `Invalidates up to ${MAX_TAGS_PER_CALL} tags; returns how many` })
  @ApiBadRequestResponse({ description: 'tags is missing, empty, too long, or a tag does not match the pattern' })
  invalidate(@Body() body: InvalidateTagsBody) {
    return this.admin.invalidate(body.tags);
  }

  @Post('cleanup')
  @HttpCode(200)
  @AdminAction('cleanup', 'write')
  @ApiOperation({ summary: 'Runs the L3 cleanup now and returns its counts' })
  @ApiConflictResponse({ description: 'Another instance is running cleanup' })
  async runCleanup() {
    const result = await this.withMaintenance(() => this.requireCleanup().run('manual'));
    if (result.status === 'skipped') throw new ConflictException(`Cleanup not run: ${result.reason}`);
    return result;
  }

  @Get('cleanup-log')
  @AdminAction('cleanup-log', 'read')
  @ApiOperation({ summary: 'Cleanup runs of the last `days` days, with totals' })
  cleanupLog(@Query() query: CleanupLogQuery) {
    return this.withMaintenance(() => this.requireCleanup().history(query.days ?? 7));
  }

  @Get('report')
  @AdminAction('report', 'read')
  @ApiOperation({ summary: 'Health analysis with recommendations: hit ratios, expired rows, size caps, breakers, reuse; and suggested policies' })
  async report() {
    return { ...(await this.admin.report()), suggestions: this.suggestions.list() };
  }

  @Get('warmers')
  @AdminAction('warmers', 'read')
  @ApiOperation({ summary: 'Names of the registered warmers, and whether a run is in progress' })
  listWarmers(): { names: string[]; running: boolean } {
    if (!this.warmers) throw new NotImplementedException('No warmers: TieredCacheMaintenanceModule is not registered');
    return { names: this.warmers.names(), running: this.warmers.running !== undefined };
  }

  @Post('warm')
  @HttpCode(200)
  @AdminAction('warm', 'write')
  @ApiOperation({ summary: 'Runs the registered warmers (all, or those named) and reports what they loaded' })
  async warm(@Body() body: WarmBody) {
    if (!this.warmers) throw new NotImplementedException('No warmers: TieredCacheMaintenanceModule is not registered');
    try {
      return await this.warmers.run(body.names, 'manual');
    } catch (error) {
      if (error instanceof UnknownWarmerError) throw new BadRequestException([`names: ${error.message}`]);
      throw error;
    }
  }

  @Post('clear')
  @HttpCode(200)
  @AdminAction('clear', 'write')
  @ApiOperation({
    summary: 'Emergency clear, in two steps: without `token` returns a confirmation token; with it, clears',
    description: 'The token is valid for 60 s (configurable), once, for the same scope and user. A wrong or expired token gives 409 and clears nothing.',
  })
  @ApiOkResponse({ description: '`status: "confirmation-required"` with a token, or `status: "cleared"`' })
  @ApiConflictResponse({ description: 'Wrong, expired or used token: nothing was cleared' })
  async clear(@Body() body: ClearCacheBody, @Req() request: { user?: AdminPrincipal }) {
    const scope = body.scope ?? 'namespace';
    const who = principalName(request.user);
    const params = { scope, namespace: this.admin.store?.namespace ?? null };
    if (body.token === undefined) {
      const issued = await this.confirmations.issue('clear', params, who, this.admin.confirmationTtlMs);
      return { status: 'confirmation-required', scope, token: issued.token, expiresAt: issued.expiresAt };
    }
    if (!(await this.confirmations.consume(body.token, 'clear', params, who))) {
      throw new ConflictException('The confirmation token is wrong, expired, already used, or was issued for another scope or user; nothing was cleared');
    }
    return { status: 'cleared', scope, ...(await this.admin.clear(scope)) };
  }

  @Get('audit')
  @AdminAction('audit', 'read')
  @ApiOperation({ summary: 'The newest audit log rows' })
  async auditLog(@Query() query: AuditQuery) {
    const entries = await this.audit.list(query.limit ?? 100);
    if (!entries) throw new NotImplementedException('No audit table: the cache has no PostgreSQL tier and no pool was given');
    return { count: entries.length, entries };
  }

  private requireCleanup(): CacheCleanupService {
    if (!this.cleanup) throw new NotImplementedException('No cleanup: TieredCacheMaintenanceModule is not registered');
    return this.cleanup;
  }

  private async withMaintenance<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof OpsStoreMissingError) throw new NotImplementedException(error.message);
      throw error;
    }
  }

  private async withL3<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof NoL3Error) throw new NotImplementedException(error.message);
      throw error;
    }
  }
}
