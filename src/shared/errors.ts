/**
 * The closed set of failures the HTTP edge knows how to answer. Each carries a status for the
 * client (with no detail in the body) and a hint for the operator's log.
 */
export const ERROR_CODES = {
  bad_request: 400,
  bad_receiveid: 400,
  bad_signature: 401,
  stale_timestamp: 401,
  unauthorized: 401,
  not_found: 404,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  database_unavailable: 503,
  overloaded: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly status: number;

  /**
   * @param code what went wrong, from the closed set
   * @param hint what the operator should check; logged, never sent to the client
   */
  constructor(
    readonly code: ErrorCode,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${hint}`, options);
    this.name = 'AppError';
    this.status = ERROR_CODES[code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Name, code and message of an underlying error, without the rest: a failed query carries its
 * parameters (a resident's message, a reply URL), which have no place in a log.
 */
export function summarizeError(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const driver = (error as { driverError?: unknown }).driverError;
  const driverMessage = driver instanceof Error ? driver.message : undefined;
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: driverMessage ?? error.message,
  };
}
