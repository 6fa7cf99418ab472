import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

const LISTEN = /^\s*LISTEN\s+"?([^"\s]+)"?\s*;?\s*$/i;

/**
 * Just enough of a `pg.Client` for a LISTEN loop, on embedded PGlite.
 *
 * PGlite is one PostgreSQL session, and a second node-postgres connection to it never receives
 * notifications (they arrive on whichever connection ran the query that was running at the time).
 * PGlite's own `listen()` does receive every `pg_notify`, whoever sent it, so `LISTEN x` maps to it.
 * Other queries go through `pool` (TypeORM's single-connection pool), so they wait their turn
 * instead of slipping into a transaction the app has open on the shared session.
 */
export class PgliteListenClient extends EventEmitter {
  private readonly unlisteners: Array<() => Promise<void>> = [];
  private ended = false;

  constructor(
    private readonly pglite: PGlite,
    private readonly pool: pg.Pool,
  ) {
    super();
  }

  async connect(): Promise<void> {
    if (this.pglite.closed) throw new Error('The embedded PGlite database is closed');
  }

  async query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    const listen = LISTEN.exec(text);
    if (!listen) return this.pool.query(text, values);
    const channel = listen[1];
    const unlisten = await this.pglite.listen(channel, (payload) => this.emit('notification', { channel, payload, processId: 0 }));
    this.unlisteners.push(unlisten);
    return { rows: [] };
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const unlisteners = this.unlisteners.splice(0);
    // The database may already be closing; nothing to undo then.
    if (!this.pglite.closed) await Promise.all(unlisteners.map((unlisten) => unlisten().catch(() => undefined)));
    this.emit('end');
  }

  /** Typed as the `pg.Client` the listeners expect; they only call what is implemented above. */
  asPgClient(): pg.Client {
    return this as unknown as pg.Client;
  }
}
