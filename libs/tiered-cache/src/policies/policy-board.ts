import { PolicySet } from './policy-set.js';

/**
 * The engine's side of runtime policies: the set in force, and the handlers to run when another
 * instance announces an edit. Kept out of the engine so that it only asks `set.match()`.
 */
export class PolicyBoard {
  set: PolicySet = PolicySet.EMPTY;
  private readonly handlers = new Set<() => void>();

  onAnnounced(handler: () => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Runs every handler; one that throws does not keep the others (or the bus) from running. */
  announced(): void {
    for (const handler of this.handlers) {
      try {
        handler();
      } catch {
        // The handlers reload from the database and log their own failures.
      }
    }
  }
}
