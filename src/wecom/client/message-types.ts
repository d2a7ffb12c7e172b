/**
 * What Mulin sends, independent of the WeCom surface it goes through. Each surface turns it into
 * its own JSON (see payloads.ts); nothing outside wecom/ builds WeCom JSON.
 */
export type OutgoingBody =
  | {
      readonly kind: 'text';
      readonly content: string;
      /** Userids to @ (or "@all"); honoured by the group robot webhook only. */
      readonly mentions?: readonly string[];
    }
  | { readonly kind: 'markdown'; readonly content: string };

/**
 * How a send went. `retry` says whether trying the same send again later can help (rate limits,
 * WeCom busy, network trouble); a permanent failure needs a person (a deleted key, a bad secret).
 * `reason` is for operators' logs: it never carries message content, keys or tokens.
 */
export type SendOutcome = SendSuccess | SendFailure;
export interface SendSuccess {
  readonly ok: true;
}
export interface SendFailure {
  readonly ok: false;
  readonly retry: boolean;
  readonly errcode?: number;
  readonly reason: string;
}

/** A self-built app (自建应用): each has its own secret, and so its own access token. */
export interface AppCredentials {
  /** 企业ID (ww…). */
  readonly corpId: string;
  /** The app's Secret (secret): WECOM_CORP_SECRET when the integrator adds it to the config. */
  readonly corpSecret: string;
  /** The app's AgentId: WECOM_AGENT_ID. */
  readonly agentId: number;
}
