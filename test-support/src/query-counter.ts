import { currentRequestId } from '@commerce-supergraph/shared/request-scope';
import { DefaultLogger, type LogContext, type LoggerOptions, type Options } from '@mikro-orm/postgresql';

interface Statement {
  query: string;
  /** The request being served when it ran (see request-scope.ts), so background work is told apart. */
  requestId: string | undefined;
}

/**
 * Counts the SQL statements an ORM runs, for tests that pin query counts (N+1 checks). MikroORM
 * hands every statement to its logger even with debug off, so this sees all of them.
 * Transaction control (begin/commit/savepoints) is not counted: it is not a data query.
 */
export class QueryCounter {
  private readonly seen: Statement[] = [];

  get count(): number {
    return this.seen.length;
  }

  get statements(): string[] {
    return this.seen.map((statement) => statement.query);
  }

  /** The statements one request ran: background work (sweeps, consumers) running meanwhile is left out. */
  forRequest(requestId: string): string[] {
    return this.seen.filter((statement) => statement.requestId === requestId).map((statement) => statement.query);
  }

  readonly overrides: Partial<Options> = {
    loggerFactory: (options: LoggerOptions) => new CountingLogger(options, this.seen),
  };

  reset(): void {
    this.seen.length = 0;
  }
}

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release savepoint|rollback to savepoint)\b/i;

class CountingLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly seen: Statement[],
  ) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    if (!TRANSACTION_CONTROL.test(context.query)) {
      this.seen.push({ query: context.query, requestId: currentRequestId() });
    }
    super.logQuery(context);
  }
}
