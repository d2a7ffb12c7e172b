import type { Clock } from '../../shared/clock';
import { callApi, errcodeOf, type FetchFn } from './call-api';
import { failureOfErrcode } from './errcodes';
import type { AppCredentials, SendFailure } from './message-types';

export type TokenResult = { readonly token: string } | { readonly failure: SendFailure };

/** Refresh this long before WeCom says the token expires, so a call never races the expiry. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** After a failed early refresh, the still valid token is used this long before the next try. */
const REFRESH_RETRY_MS = 30_000;

/**
 * The access token of one self-built app. WeCom rate-limits gettoken, so the token is cached until
 * 5 minutes before it expires, and concurrent callers share one refresh (single-flight). A refresh
 * that fails while the token is still valid (gettoken busy, rate-limited, unreachable) keeps the
 * token in use and is tried again 30 s later: failing the sends meanwhile would delay messages
 * that could go, and have every send call gettoken again.
 */
export class AccessTokenCache {
  private cached: { readonly token: string; readonly refreshAt: number; readonly expiresAt: number } | null =
    null;
  private inflight: Promise<TokenResult> | null = null;

  constructor(
    private readonly app: AppCredentials,
    private readonly apiBase: string,
    private readonly fetchFn: FetchFn,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  get(): Promise<TokenResult> {
    if (this.cached && this.clock.now().getTime() < this.cached.refreshAt) {
      return Promise.resolve({ token: this.cached.token });
    }
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /**
   * Forgets the token WeCom just refused. Only that token: when several calls fail with the same
   * token, the first one's refresh must not be thrown away by the others.
   */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async refresh(): Promise<TokenResult> {
    const query = new URLSearchParams({ corpid: this.app.corpId, corpsecret: this.app.corpSecret });
    const answer = await callApi(
      this.fetchFn,
      { method: 'GET', url: `${this.apiBase}/cgi-bin/gettoken?${query.toString()}` },
      this.timeoutMs,
    );
    if (answer.kind === 'failed') return this.stillValidOr(answer.failure);
    const errcode = errcodeOf(answer.json);
    const token = answer.json?.access_token;
    if (errcode !== undefined && errcode !== 0) return this.stillValidOr(failureOfErrcode(errcode));
    if (typeof token !== 'string' || token === '') {
      return this.stillValidOr({
        ok: false,
        retry: true,
        reason: 'gettoken answered without an access_token',
      });
    }
    const expiresInS = typeof answer.json?.expires_in === 'number' ? answer.json.expires_in : 7200;
    const lifetimeMs = expiresInS * 1000;
    // A short-lived token (never seen in practice) is refreshed halfway rather than at once.
    const refreshIn = lifetimeMs > 2 * REFRESH_MARGIN_MS ? lifetimeMs - REFRESH_MARGIN_MS : lifetimeMs / 2;
    const now = this.clock.now().getTime();
    this.cached = { token, refreshAt: now + refreshIn, expiresAt: now + lifetimeMs };
    return { token };
  }

  /** The cached token while it is valid, with the next refresh put off a little; else the failure. */
  private stillValidOr(failure: SendFailure): TokenResult {
    const cached = this.cached;
    const now = this.clock.now().getTime();
    if (!cached || now >= cached.expiresAt) return { failure };
    this.cached = { ...cached, refreshAt: Math.min(now + REFRESH_RETRY_MS, cached.expiresAt) };
    return { token: cached.token };
  }
}
