/**
 * `@tiered-cache/nestjs/testing`: the tier conformance suite, for a third-party tier's own Jest
 * specs (docs/drivers.md). Needs `@jest/globals`.
 */
export { describeTierConformance, makeEntry, type TierCapabilities, type TierHarness } from './tiers/testing/tier-conformance.js';
export { tagsAreValid, type TagClock, type Tier, type TierReadResult } from './tiers/tier.js';
