import { InvalidOptionError } from '../core/errors.js';

/** Option `groups` of the admin module: how keys are grouped for `GET /admin/cache/groups`. */
export interface KeyGroupOptions {
  /** What separates the segments of a key. Default `':'`. */
  separator?: string;
  /** Segments that make a prefix group: `user:42:posts` is `user` at depth 1, `user:42` at 2. Default 1. */
  depth?: number;
  /**
   * Most groups counted per kind (prefix, tag), `(other)` included: new groups past it are counted there,
   * so memory stays bounded whatever the keys. Default 200.
   */
  maxGroups?: number;
  /** Most keys whose tags are remembered, to count reads by tag (least recently written go first). Default 10,000. */
  maxTrackedKeys?: number;
}

/** {@link KeyGroupOptions}, checked. */
export interface ResolvedKeyGroupOptions {
  readonly separator: string;
  readonly depth: number;
  readonly maxGroups: number;
  readonly maxTrackedKeys: number;
}

function positiveInteger(value: number, name: string, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new InvalidOptionError(name, `must be an integer from 1 to ${max}, got ${value}`);
  return value;
}

/**
 * Checks the options, so a bad value fails at start-up with its name.
 * @throws InvalidOptionError naming `groups.separator`, `groups.depth`, `groups.maxGroups` or `groups.maxTrackedKeys`.
 */
export function resolveKeyGroupOptions(options: KeyGroupOptions = {}): ResolvedKeyGroupOptions {
  const separator = options.separator ?? ':';
  if (typeof separator !== 'string' || separator.length === 0) throw new InvalidOptionError('groups.separator', 'must be a non-empty string');
  return {
    separator,
    depth: positiveInteger(options.depth ?? 1, 'groups.depth', 16),
    maxGroups: positiveInteger(options.maxGroups ?? 200, 'groups.maxGroups', 10_000),
    maxTrackedKeys: positiveInteger(options.maxTrackedKeys ?? 10_000, 'groups.maxTrackedKeys', 1_000_000),
  };
}

/** The prefix group of `key`: its first `depth` segments (the whole key when it has fewer). */
export function prefixOf(key: string, separator: string, depth: number): string {
  let end = -1;
  for (let segment = 0; segment < depth; segment++) {
    end = key.indexOf(separator, end + (segment === 0 ? 1 : separator.length));
    if (end < 0) return key;
  }
  return key.slice(0, end);
}
