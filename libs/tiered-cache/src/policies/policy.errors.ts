import { TieredCacheError } from '../core/errors.js';

/** A policy is not usable; `field` names the part at fault (`match.prefix`, `ttl`, `tiers`, ...). */
export class InvalidPolicyError extends TieredCacheError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`Invalid cache policy: ${field} ${problem}`);
  }
}
