import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs. Anything that looks like a credential is redacted by key, as a second line of
 * defence: the code never passes secrets or message text to an info-level log in the first place.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mulin' },
      redact: {
        paths: ['*.token', '*.aesKey', '*.secret', '*.webhookKey', '*.password', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * Standard output, written off the event loop: lines are buffered while a write is in flight and
 * go out together. A synchronous write per line took about 7% of the service's CPU under load
 * (docs/benchmarks.md). pino flushes what is buffered when the process exits; a SIGKILL loses
 * at most the lines of the write in flight.
 */
export function asyncStdout(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

export const silentLogger: Logger = pino({ level: 'silent' });
