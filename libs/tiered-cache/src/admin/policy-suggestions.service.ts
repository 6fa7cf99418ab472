import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import { KeyGroupUsageRecorder } from '../policies/key-group-usage.js';
import { suggestPolicies, type PolicySuggestion } from '../policies/policy-suggestions.js';
import { TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import type { TieredCacheAdminOptions } from './admin.options.js';

/**
 * Measures reads per key group on this instance (from the engine's call events) and derives the
 * suggested policies of `GET /report` and `GET /policies/suggestions` from them. Off, with no
 * observer registered, when the admin module has `policies: false`.
 */
@Injectable()
export class PolicySuggestionsService implements OnModuleInit, OnModuleDestroy {
  private readonly recorder: KeyGroupUsageRecorder | undefined;
  private stop: (() => void) | undefined;

  constructor(
    private readonly cache: TieredCache,
    @Inject(TIERED_CACHE_ADMIN_OPTIONS) private readonly options: TieredCacheAdminOptions,
  ) {
    if (options.policies !== false) this.recorder = new KeyGroupUsageRecorder(options.policies?.usage);
  }

  onModuleInit(): void {
    if (this.recorder !== undefined) this.stop ??= this.cache.observe(this.recorder.observer);
  }

  onModuleDestroy(): void {
    this.stop?.();
    this.stop = undefined;
  }

  /** The suggestions for what was measured since start-up (or the last reset), skipping prefixes that already have a policy. */
  list(): PolicySuggestion[] {
    if (this.recorder === undefined || this.options.policies === false) return [];
    return suggestPolicies(this.recorder.usage(), this.cache.policies().policies, this.options.policies?.suggestions);
  }

  /** Forgets what was measured: once a policy is applied, the old measurements no longer describe the cache. */
  reset(): void {
    this.recorder?.reset();
  }
}
