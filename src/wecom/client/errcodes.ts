import type { SendFailure, SendOutcome } from './message-types';

/**
 * WeCom's errcodes, classified. Branch on errcode only: errmsg changes and carries hints and URLs
 * (PROTOCOL.md 5). Anything not listed as retryable is permanent: retrying a bad key or an
 * oversized message only burns the rate limit.
 */

/** The access token was refused: fetch a new one and try once more. */
export const TOKEN_REJECTED: ReadonlySet<number> = new Set([40014, 42001]);

/** Busy (-1), rate limit (45009), concurrency limit (45033). */
const RETRYABLE: ReadonlySet<number> = new Set([-1, 45009, 45033]);

const MEANING: ReadonlyMap<number, string> = new Map([
  [-1, 'WeCom is busy'],
  [40001, 'invalid corp secret: check the app Secret'],
  [40008, 'invalid msgtype'],
  [40013, 'invalid corp id: check WECOM_CORP_ID'],
  [40014, 'access token invalid'],
  [40058, 'invalid parameter (content too long?)'],
  [41001, 'access token missing'],
  [42001, 'access token expired'],
  [45009, 'rate limited'],
  [45033, 'too many concurrent calls'],
  [60020, "this server's IP is not among the app's trusted IPs (企业可信IP)"],
  [81013, 'no valid recipients: check the userids and the app visibility'],
  [93000, 'webhook key invalid or deleted: check the group robot'],
]);

export function outcomeOfErrcode(errcode: number): SendOutcome {
  if (errcode === 0) return { ok: true };
  return failureOfErrcode(errcode);
}

export function failureOfErrcode(errcode: number): SendFailure {
  const meaning = MEANING.get(errcode) ?? 'WeCom refused the call';
  return { ok: false, retry: RETRYABLE.has(errcode), errcode, reason: `errcode ${errcode}: ${meaning}` };
}
