import http from 'node:http';
import https from 'node:https';
import { httpModuleFor } from '../../shared/http-module';

/** The part of fetch that callApi uses. */
export interface FetchInit {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
}
export interface FetchAnswer {
  readonly status: number;
  text(): Promise<string>;
}
export type FetchFn = (url: string, init: FetchInit) => Promise<FetchAnswer>;

/** WeCom answers in a few hundred bytes; anything past this is not WeCom. */
const MAX_ANSWER_BYTES = 1024 * 1024;

// Kept-alive connections: the outbox calls one host many times a minute. Node's agents drop an
// idle socket before the server's advertised keep-alive timeout runs out.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * fetch's contract for callApi, on node:http. Node 20's fetch (undici behind web streams) cost
 * about a millisecond of CPU per send in the ingest benchmark's profile; this costs a fraction.
 * Errors look like fetch's: the signal's reason when aborted (a TimeoutError for
 * AbortSignal.timeout), otherwise an error whose cause carries the socket's code.
 */
export const httpFetch: FetchFn = (url, init) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = httpModuleFor(target);
    if (!client) {
      reject(new Error(`unsupported protocol ${target.protocol}`));
      return;
    }
    if (init.signal.aborted) {
      reject(abortError(init.signal));
      return;
    }
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      init.signal.removeEventListener('abort', onAbort);
      reject(error);
    };
    const req = client.request(
      target,
      {
        method: init.method,
        agent: agents[target.protocol as 'http:' | 'https:'],
        headers: {
          ...init.headers,
          ...(init.body === undefined ? {} : { 'Content-Length': Buffer.byteLength(init.body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES)
            req.destroy(Object.assign(new Error('answer too large'), { code: 'ANSWER_TOO_LARGE' }));
          else chunks.push(chunk);
        });
        res.on('error', (error) => fail(Object.assign(new Error('fetch failed'), { cause: error })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          init.signal.removeEventListener('abort', onAbort);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text: () => Promise.resolve(text) });
        });
      },
    );
    const onAbort = () => {
      req.destroy();
      fail(abortError(init.signal));
    };
    init.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => fail(Object.assign(new Error('fetch failed'), { cause: error })));
    req.end(init.body);
  });

/** The signal's reason as an Error, keeping its name (TimeoutError, AbortError) for the caller. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const name = (reason as { name?: unknown } | undefined)?.name;
  return Object.assign(new Error('aborted'), { name: typeof name === 'string' ? name : 'AbortError' });
}
