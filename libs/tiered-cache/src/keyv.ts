/** `@tiered-cache/nestjs/keyv`: a Keyv store over the tiers, for `@nestjs/cache-manager` (needs `keyv`). */
export * from './nest/tiered-keyv.store.js';
export { TierListingError } from './nest/storage-keys.listing.js';
