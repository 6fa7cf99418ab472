import type { ValueTransformer } from 'typeorm';

/**
 * node-postgres returns `numeric` as a string (it may not fit a double). Scores are `numeric(5,2)`,
 * which always does, so they are read as numbers.
 */
export const numericTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
