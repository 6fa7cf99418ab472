import type { DataSource, Logger } from 'typeorm';

/**
 * Counts the SQL statements the app runs through TypeORM, by wrapping the data source's logger:
 * TypeORM calls `logger.logQuery` for every statement, whatever the logging options. The cache's
 * own L3 statements go straight to the pg pool and are not counted, so a count is "SQL run for the
 * endpoint's data", which is what a cache hit must not run.
 */
export class QueryCounter {
  readonly statements: string[] = [];
  /** The parameters of each statement, at the same index. */
  readonly parameters: unknown[][] = [];

  static install(dataSource: DataSource): QueryCounter {
    const counter = new QueryCounter();
    const original = dataSource.logger;
    const wrapped = new Proxy(original, {
      get(target, property, receiver) {
        if (property === 'logQuery') {
          return (query: string, parameters?: unknown[], runner?: unknown) => {
            counter.statements.push(query.replace(/\s+/g, ' ').trim());
            counter.parameters.push(parameters ?? []);
            return target.logQuery(query, parameters, runner as never);
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    (dataSource as unknown as { logger: Logger }).logger = wrapped;
    return counter;
  }

  get count(): number {
    return this.statements.length;
  }

  reset(): void {
    this.statements.length = 0;
    this.parameters.length = 0;
  }

  /** Runs `work` and returns what it resolved to with the statements it ran. */
  async during<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[]; parameters: unknown[][] }> {
    this.reset();
    const result = await work();
    return { result, statements: [...this.statements], parameters: [...this.parameters] };
  }
}
