import type { IncomingMessage } from 'node:http';
import { AppError } from '../shared/errors';

export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** How long the whole body may take to arrive. */
  readonly timeoutMs: number;
  /** Shared by the requests of one endpoint group: the bytes they may hold while their bodies arrive. */
  readonly budget?: BodyBudget;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 1024 * 1024, timeoutMs: 10_000 };

/** 64 bodies at the size limit: far beyond what WeCom sends at once, a bound on what a flood may hold. */
export const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of request bodies being read at once, across requests. Each body is bounded on its
 * own, but not how many arrive together: a flood of slow 1 MiB bodies would otherwise hold as
 * much memory as it has connections. Past the budget a body is refused with 503, which WeCom
 * retries.
 */
export class BodyBudget {
  private inUse = 0;

  constructor(readonly maxBytes: number) {}

  get used(): number {
    return this.inUse;
  }

  take(bytes: number): boolean {
    if (this.inUse + bytes > this.maxBytes) return false;
    this.inUse += bytes;
    return true;
  }

  give(bytes: number): void {
    this.inUse -= bytes;
  }
}

/**
 * Reads the request body as UTF-8 text, refusing early: a declared Content-Length over the limit
 * is refused before a byte is read, and a streamed body is cut off as soon as it passes the limit.
 */
export function readRawBody(req: IncomingMessage, limits: BodyLimits = DEFAULT_BODY_LIMITS): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    return Promise.reject(
      new AppError('payload_too_large', `declared body of ${declared} bytes is over the limit`),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let taken = 0;
    const finish = (error: AppError | null) => {
      clearTimeout(timer);
      limits.budget?.give(taken);
      taken = 0;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        req.pause();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        finish(new AppError('payload_too_large', `body passed ${limits.maxBytes} bytes`));
      } else if (limits.budget && !limits.budget.take(chunk.length)) {
        finish(new AppError('overloaded', `bodies being read hold over ${limits.budget.maxBytes} bytes`));
      } else {
        taken += limits.budget ? chunk.length : 0;
        chunks.push(chunk);
      }
    };
    const onEnd = () => finish(null);
    const onError = () => finish(new AppError('bad_request', 'the client aborted the body'));
    const timer = setTimeout(
      () => finish(new AppError('request_timeout', `body took longer than ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
