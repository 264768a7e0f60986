import { DefaultLogger, type LogContext, type LoggerOptions, type Options } from '@mikro-orm/postgresql';

/**
 * Counts the SQL statements an ORM runs, for tests that pin query counts (N+1 checks). MikroORM
 * hands every statement to its logger even with debug off, so this sees all of them.
 * Transaction control (begin/commit/savepoints) is not counted: it is not a data query.
 */
export class QueryCounter {
  readonly statements: string[] = [];

  get count(): number {
    return this.statements.length;
  }

  readonly overrides: Partial<Options> = {
    loggerFactory: (options: LoggerOptions) => new CountingLogger(options, this.statements),
  };

  reset(): void {
    this.statements.length = 0;
  }
}

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release savepoint|rollback to savepoint)\b/i;

class CountingLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly statements: string[],
  ) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    if (!TRANSACTION_CONTROL.test(context.query)) this.statements.push(context.query);
    super.logQuery(context);
  }
}
