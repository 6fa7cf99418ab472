import { Body, Delete, Get, Param, Post, Put, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiNotImplementedResponse,
  ApiOperation,
} from '@nestjs/swagger';
import type { PolicyBody } from '../policies/policy.pg-store.js';
import { AdminAction } from './admin-audit.interceptor.js';
import { principalName } from './admin.guard.js';
import type { AdminPrincipal } from './admin.options.js';
import { CachePoliciesService } from './cache-policies.service.js';
import { PolicySuggestionsService } from './policy-suggestions.service.js';
import { PolicyBodyDto, PolicyIdParams } from './policies.dto.js';
import { AdminApi } from './admin-api.decorator.js';

/**
 * Runtime cache policies (docs/policies.md), next to {@link TieredCacheAdminController} under the
 * same path, guard and audit. Every edit is in force on every instance within the bus delay.
 */
@AdminApi()
@ApiNotImplementedResponse({ description: 'No PostgreSQL for the policies table, or the admin module was registered with policies: false' })
export class TieredCachePoliciesController {
  constructor(
    private readonly policies: CachePoliciesService,
    private readonly suggestions: PolicySuggestionsService,
  ) {}

  @Get('policies/suggestions')
  @AdminAction('policies.suggestions', 'read')
  @ApiOperation({ summary: 'Policies suggested from what this instance measured per key group, each with a body ready to POST' })
  suggested() {
    return { suggestions: this.suggestions.list() };
  }

  @Get('policies')
  @AdminAction('policies.list', 'read')
  @ApiOperation({ summary: "The namespace's policies, and how many this instance has in force (with the last reload's error, if any)" })
  list() {
    return this.policies.list();
  }

  @Post('policies')
  @AdminAction('policies.create', 'write')
  @ApiOperation({ summary: 'Creates a policy; in force here at once and on the other instances within the bus delay' })
  @ApiBadRequestResponse({ description: 'The body is invalid; each message starts with the field at fault' })
  @ApiConflictResponse({ description: 'Another policy of the namespace has the same prefix or tag' })
  async create(@Body() body: PolicyBodyDto, @Req() request: { user?: AdminPrincipal }) {
    const created = await this.policies.create(body as PolicyBody, principalName(request.user));
    this.suggestions.reset();
    return created;
  }

  @Put('policies/:id')
  @AdminAction('policies.update', 'write')
  @ApiOperation({ summary: 'Replaces a policy' })
  @ApiBadRequestResponse({ description: 'The body or id is invalid; each message starts with the field at fault' })
  @ApiNotFoundResponse({ description: 'No such policy in this namespace' })
  @ApiConflictResponse({ description: 'Another policy of the namespace has the same prefix or tag' })
  update(@Param() params: PolicyIdParams, @Body() body: PolicyBodyDto, @Req() request: { user?: AdminPrincipal }) {
    return this.policies.update(params.id, body as PolicyBody, principalName(request.user));
  }

  @Delete('policies/:id')
  @AdminAction('policies.delete', 'write')
  @ApiOperation({ summary: 'Deletes a policy' })
  @ApiNotFoundResponse({ description: 'No such policy in this namespace' })
  delete(@Param() params: PolicyIdParams) {
    return this.policies.delete(params.id);
  }
}
