import { systemClock, type Clock } from '../../shared/clock';
import { AccessTokenCache } from './access-token';
import { httpFetch } from './http-fetch';
import { callApi, errcodeOf, type ApiAnswer, type FetchFn } from './call-api';
import { outcomeOfErrcode, TOKEN_REJECTED } from './errcodes';
import type { AppCredentials, OutgoingBody, SendOutcome } from './message-types';
import { appMessagePayload, responseUrlPayload, webhookPayload } from './payloads';

export interface WecomClientOptions {
  /** WeCom's API origin (config wecom.apiBase), without a trailing slash. */
  readonly apiBase: string;
  /** The self-built app, for sendAppMessage; without it app messages fail permanently. */
  readonly app?: AppCredentials;
  readonly fetch?: FetchFn;
  /** Decides when the cached access token is due for refresh. */
  readonly clock?: Clock;
  /** Deadline of each HTTP call, body included. */
  readonly timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends to WeCom's three outbound surfaces and says how it went, as a SendOutcome; it never
 * throws for WeCom's or the network's failures. It does not split or queue: content must already
 * be within the surface's limit (see split-message.ts), and retrying is the caller's decision.
 */
export class WecomClient {
  private readonly apiBase: string;
  private readonly fetchFn: FetchFn;
  private readonly timeoutMs: number;
  private readonly tokens: AccessTokenCache | null;

  constructor(private readonly options: WecomClientOptions) {
    this.apiBase = options.apiBase.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? httpFetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tokens = options.app
      ? new AccessTokenCache(
          options.app,
          this.apiBase,
          this.fetchFn,
          options.clock ?? systemClock,
          this.timeoutMs,
        )
      : null;
  }

  /** Posts to a group through its robot webhook (消息推送). */
  async sendToWebhook(webhookKey: string, body: OutgoingBody): Promise<SendOutcome> {
    const url = `${this.apiBase}/cgi-bin/webhook/send?key=${encodeURIComponent(webhookKey)}`;
    return outcomeOf(await this.post(url, webhookPayload(body)), false);
  }

  /**
   * Answers a message through the one-use response_url the intelligent robot gave with it. No
   * source shows what it answers on success, so a 2xx without an errcode counts as delivered.
   */
  async replyViaResponseUrl(url: string, body: OutgoingBody): Promise<SendOutcome> {
    return outcomeOf(await this.post(url, responseUrlPayload(body)), true);
  }

  /**
   * Sends an app message (应用消息) to members. A refused token (40014/42001) is refreshed once
   * and the send tried once more; a second refusal is left to the caller's retry.
   */
  async sendAppMessage(userIds: readonly string[], body: OutgoingBody): Promise<SendOutcome> {
    const app = this.options.app;
    if (!this.tokens || !app) {
      return {
        ok: false,
        retry: false,
        reason: 'no self-built app is configured (corp id, secret, agent id)',
      };
    }
    const payload = appMessagePayload(userIds, app.agentId, body);
    let outcome: SendOutcome = { ok: false, retry: true, reason: 'not sent' };
    for (let attempt = 1; attempt <= 2; attempt++) {
      const token = await this.tokens.get();
      if ('failure' in token) return token.failure;
      const url = `${this.apiBase}/cgi-bin/message/send?access_token=${encodeURIComponent(token.token)}`;
      outcome = outcomeOf(await this.post(url, payload), false);
      if (outcome.ok || outcome.errcode === undefined || !TOKEN_REJECTED.has(outcome.errcode)) return outcome;
      this.tokens.invalidate(token.token);
    }
    // The fresh token was refused too: odd, but the next attempt gets yet another token.
    return { ...outcome, retry: true };
  }

  private post(url: string, payload: unknown): Promise<ApiAnswer> {
    return callApi(this.fetchFn, { method: 'POST', url, body: payload }, this.timeoutMs);
  }
}

function outcomeOf(answer: ApiAnswer, missingErrcodeIsOk: boolean): SendOutcome {
  if (answer.kind === 'failed') return answer.failure;
  const errcode = errcodeOf(answer.json);
  if (errcode !== undefined) return outcomeOfErrcode(errcode);
  if (missingErrcodeIsOk) return { ok: true };
  // WeCom always answers with an errcode; an answer without one came from something in between.
  return { ok: false, retry: true, reason: 'WeCom answered without an errcode' };
}
