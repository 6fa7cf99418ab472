import type { PolicySet } from '../policies/policy-set.js';
import type { CacheCallOptions } from './options.js';

/**
 * A batch split by runtime policy: the keys no policy touches stay in the batch; the others go one
 * by one through the single-key path, which applies each key's own policy (docs/policies.md). With
 * no policies in force, everything stays in the batch.
 */
export interface PolicySplit {
  /** Indexes (into the keys given) of the keys read or written as one batch. */
  readonly batched: readonly number[];
  /** Indexes of the keys a policy matches. */
  readonly single: readonly number[];
}

export function splitByPolicy<T>(policies: PolicySet, keys: readonly string[], options: Pick<CacheCallOptions<T>, 'tags'> | undefined): PolicySplit | undefined {
  if (policies.size === 0 || keys.length === 0) return undefined;
  // Tags computed from the value are matched when it is written: the single path knows how.
  if (policies.hasTagPolicies && typeof options?.tags === 'function') return { batched: [], single: keys.map((_, index) => index) };
  const batched: number[] = [];
  const single: number[] = [];
  keys.forEach((key, index) => (policies.match(key, options) === undefined ? batched : single).push(index));
  return single.length === 0 ? undefined : { batched, single };
}

/** Runs the two halves of a split and puts their answers back in the order of the keys. */
export async function joinSplit<R>(split: PolicySplit, runBatch: (indexes: readonly number[]) => Promise<readonly R[]>, runOne: (index: number) => Promise<R>): Promise<R[]> {
  const [many, ones] = await Promise.all([split.batched.length > 0 ? runBatch(split.batched) : Promise.resolve([]), Promise.all(split.single.map(runOne))]);
  const out = new Array<R>(split.batched.length + split.single.length);
  split.batched.forEach((index, at) => (out[index] = many[at]!));
  split.single.forEach((index, at) => (out[index] = ones[at]!));
  return out;
}
