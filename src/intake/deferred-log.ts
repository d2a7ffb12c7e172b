import type { Logger } from '../shared/logger';

type Level = 'info' | 'warn';

/** The part of a logger the desk writes with. */
export interface LogLines {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Log lines about work inside a transaction, held until it commits (write()) and dropped if it
 * does not: a batch that is rolled back and handled again one message at a time would otherwise
 * report, say, "request created" twice, the first time for a request that never existed.
 */
export class DeferredLog {
  private readonly lines: { bindings: object; level: Level; fields: object; message: string }[] = [];

  constructor(private readonly logger: Logger) {}

  /** Lines bound to these fields (a message's id and chat), as logger.child would. */
  about(bindings: object): LogLines {
    const hold = (level: Level) => (fields: object, message: string) => {
      this.lines.push({ bindings, level, fields, message });
    };
    return { info: hold('info'), warn: hold('warn') };
  }

  /** Writes the lines held so far, in order, once. */
  write(): void {
    for (const { bindings, level, fields, message } of this.lines.splice(0)) {
      this.logger.child(bindings)[level](fields, message);
    }
  }
}
