import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TieredCache } from '@tiered-cache/nestjs';
import { createDomainFixture, type AuthedAgent, type DomainFixture } from './support/domain-app.js';

/** The statements that read expert sessions by a list of ids, with their id lists. */
function byIdsReads(run: { statements: string[]; parameters: unknown[][] }): unknown[] {
  return run.statements.flatMap((statement, index) => (statement.includes('= ANY($1::int[])') ? [run.parameters[index]![0]] : []));
}

/** `GET /expert-sessions/by-ids`: `@CachedMany`, so an overlapping second call reads only the ids it lacks. */
describe('expert sessions by ids (batch reads)', () => {
  let fx: DomainFixture;
  let student: AuthedAgent;

  beforeAll(async () => {
    fx = await createDomainFixture('batch_reads');
    student = await fx.primary.as('student-1');
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
  });

  it('reads only the missing id on an overlapping second call, and nothing on a third', async () => {
    const first = await fx.primary.queries.during(() => student.get('/expert-sessions/by-ids?ids=2,3,4').expect(200));
    expect(first.result.body.map((session: { id: number }) => session.id)).toEqual([2, 3, 4]);
    expect(byIdsReads(first)).toEqual([[2, 3, 4]]);
    await fx.primary.app.get(TieredCache).settled();
    const second = await fx.primary.queries.during(() => student.get('/expert-sessions/by-ids?ids=1,2,3').expect(200));
    expect(second.result.body.map((session: { id: number }) => session.id)).toEqual([1, 2, 3]);
    expect(byIdsReads(second)).toEqual([[1]]);
    expect(second.statements).toHaveLength(1);
    await fx.primary.app.get(TieredCache).settled();
    const third = await fx.primary.queries.during(() => student.get('/expert-sessions/by-ids?ids=4,1').expect(200));
    expect(third.statements).toEqual([]);
    // The same entries as GET /expert-sessions/:id.
    const single = await fx.primary.queries.during(() => student.get('/expert-sessions/4').expect(200));
    expect(single.statements).toEqual([]);
    expect(single.result.body).toEqual(third.result.body[0]);
  });

  it('answers 404 naming the ids without a session, and 400 naming the field for bad ids', async () => {
    const missing = await student.get('/expert-sessions/by-ids?ids=1,999999').expect(404);
    expect(missing.body.message).toContain('999999');
    for (const query of ['ids=', 'ids=1,x', 'ids=0', '']) {
      const bad = await student.get(`/expert-sessions/by-ids?${query}`).expect(400);
      expect(JSON.stringify(bad.body.message)).toContain('ids');
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    await student.get(`/expert-sessions/by-ids?ids=${tooMany}`).expect(400);
  });
});
