import { expect } from '@jest/globals';
import type { ClusterInstance } from '../support/processes/app-cluster.js';

interface Session {
  title: string;
}

/**
 * Polls `instance` back to back until `GET /expert-sessions/:id` shows `title`.
 * @returns when the first read that showed it was sent. A read that still shows the old value is an
 * L1 hit (about a millisecond), so this is within one such read of the moment the instance applied
 * the invalidation; the read that shows the new value reloads from the database and answers later.
 */
export async function visibleAt(instance: ClusterInstance, id: number, title: string, deadline: number): Promise<number> {
  for (;;) {
    const sent = performance.now();
    const reply = await instance.get(`/expert-sessions/${id}`);
    expect(reply.status).toBe(200);
    if ((reply.body as Session).title === title) return sent;
    if (sent > deadline) throw new Error(`instance ${instance.name} still shows ${JSON.stringify((reply.body as Session).title)} for session ${id}, not ${JSON.stringify(title)}`);
  }
}
