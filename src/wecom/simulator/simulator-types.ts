import type { OutgoingBody } from '../client';

/** Where an accepted message went, as the simulator saw it. */
export type SimulatedDestination =
  | { readonly type: 'group_webhook'; readonly webhookKey: string }
  | { readonly type: 'response_url'; readonly responseCode: string }
  | { readonly type: 'app_message'; readonly userIds: readonly string[]; readonly agentId: number };

/** Every message the simulator accepted, in the order it accepted them. */
export interface SimulatedMessage {
  readonly at: Date;
  readonly destination: SimulatedDestination;
  readonly body: OutgoingBody;
}

export type SimulatedEndpoint = 'webhook' | 'response_url' | 'gettoken' | 'message_send';

/** Every call, accepted or not: lets tests count token fetches and refusals. */
export interface SimulatedCall {
  readonly at: Date;
  readonly endpoint: SimulatedEndpoint;
  readonly httpStatus: number;
  /** Absent when the answer was not WeCom JSON (a 502). */
  readonly errcode?: number;
}

/**
 * Failures the simulator can be told to produce:
 * - rate_limit: errcode 45009; busy: errcode -1; invalid_key: errcode 93000 (webhook, response_url)
 * - server_error: HTTP 502 with an HTML body, as a proxy in front of WeCom would answer
 * - slow: answer normally after a delay (long enough, the client times out)
 * - expire_tokens: every access token issued so far expires, so message/send answers 42001 until
 *   the client fetches a new one
 */
export type FaultMode = 'rate_limit' | 'busy' | 'server_error' | 'slow' | 'invalid_key' | 'expire_tokens';

export interface FaultOptions {
  /** For slow: how long to wait before answering. */
  readonly delayMs?: number;
}

export interface SimulatedApp {
  readonly corpId: string;
  readonly corpSecret: string;
  /** When set, message/send must name this agentid. */
  readonly agentId?: number;
}
