import type { FetchFn } from './http-fetch';
import type { SendFailure } from './message-types';

/**
 * One HTTP call to WeCom with a deadline, reduced to what the callers branch on: the JSON answer,
 * or a failure already classified. Network trouble, timeouts and 5xx are retryable; other non-2xx
 * answers are not. Reasons name no URL: the URL carries the webhook key or the access token.
 */
export type ApiAnswer =
  | { readonly kind: 'answered'; readonly json: Readonly<Record<string, unknown>> | null }
  | { readonly kind: 'failed'; readonly failure: SendFailure };

export type { FetchFn } from './http-fetch';

export interface ApiRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** Sent as JSON. */
  readonly body?: unknown;
}

export async function callApi(fetchFn: FetchFn, req: ApiRequest, timeoutMs: number): Promise<ApiAnswer> {
  let status: number;
  let text: string;
  try {
    const res = await fetchFn(req.url, {
      method: req.method,
      // The deadline covers the body too: a server that stalls mid-answer is as bad as a silent one.
      signal: AbortSignal.timeout(timeoutMs),
      ...(req.body === undefined
        ? {}
        : {
            headers: { 'Content-Type': 'application/json; charset=utf-8' },
            body: JSON.stringify(req.body),
          }),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    return {
      kind: 'failed',
      failure: { ok: false, retry: true, reason: describeFetchError(error, timeoutMs) },
    };
  }
  if (status >= 500 || status === 429) {
    return { kind: 'failed', failure: { ok: false, retry: true, reason: `HTTP ${status} from WeCom` } };
  }
  if (status < 200 || status >= 300) {
    return { kind: 'failed', failure: { ok: false, retry: false, reason: `HTTP ${status} from WeCom` } };
  }
  return { kind: 'answered', json: parseObject(text) };
}

/** The errcode of an answer, if it has a numeric one. */
export function errcodeOf(json: Readonly<Record<string, unknown>> | null): number | undefined {
  const value = json?.errcode;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  // Read by shape, not instanceof: fetch's errors may come from another realm (jest's VM, workers).
  const e = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no answer from WeCom within ${timeoutMs} ms`;
  // "fetch failed" with a cause carrying the socket's code (ECONNREFUSED, …), as undici does too.
  const code =
    typeof e.cause?.code === 'string' ? e.cause.code : typeof e.name === 'string' ? e.name : 'unknown';
  return `network error calling WeCom (${code})`;
}
