import { batchReadCase } from './batch-read.js';
import { httpCase } from './http.js';
import { l1HitCase } from './l1-hit.js';
import { l2HitCase } from './l2-hit.js';
import { l3HitCase } from './l3-hit.js';
import { missCase } from './miss.js';
import { policiesHitCase } from './policies-hit.js';
import { sealedHitCase } from './sealed-hit.js';
import { stampedeCase } from './stampede.js';
import { tagInvalidationCase } from './tag-invalidation.js';
import type { BenchCase } from './types.js';
import { writeBehindCase } from './write-behind.js';
import { zipfWorkloadCase } from './zipf-workload.js';

/**
 * The cases of issue 6, in the order they run. Each is a file here exporting a `BenchCase`; the
 * runner, the report and the targets table need nothing else. Cases 7 and 8 run the reference app
 * in process (`bench/lib/reference-app.ts`).
 */
export const CASES: readonly BenchCase[] = [l1HitCase, l2HitCase, l3HitCase, missCase, stampedeCase, tagInvalidationCase, zipfWorkloadCase, httpCase, sealedHitCase, batchReadCase, writeBehindCase, policiesHitCase];

/** Cases of the issue not implemented yet, named in the report. */
export const NOT_YET: readonly string[] = [];
