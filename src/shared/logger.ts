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

export const silentLogger: Logger = pino({ level: 'silent' });
