import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TieredCacheAdminGuard } from '../admin/admin.guard.js';

/**
 * The alerts endpoint is as protected as the admin API: it defers to the admin module's
 * {@link TieredCacheAdminGuard} (role or `authorize`, audited refusals), found in whichever module
 * registered it. Without the admin module every request is refused, rather than left open.
 */
@Injectable()
export class TieredCacheAlertsAccessGuard implements CanActivate {
  private adminGuard: TieredCacheAdminGuard | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    this.adminGuard ??= this.findAdminGuard();
    if (!this.adminGuard) throw new ForbiddenException('GET /alerts needs TieredCacheAdminModule, whose authorization it uses');
    return this.adminGuard.canActivate(context);
  }

  private findAdminGuard(): TieredCacheAdminGuard | undefined {
    try {
      return this.moduleRef.get(TieredCacheAdminGuard, { strict: false });
    } catch {
      return undefined;
    }
  }
}
