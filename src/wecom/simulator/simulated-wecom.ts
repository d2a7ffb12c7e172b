import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/clock';
import type { OutgoingBody } from '../client';
import type { Fault } from './fault-plan';
import type {
  SimulatedApp,
  SimulatedDestination,
  SimulatedEndpoint,
  SimulatedMessage,
} from './simulator-types';

/**
 * WeCom's behaviour as far as Mulin uses it (PROTOCOL.md 3.7, 4, 5), with no HTTP in it: the
 * server class parses the request and writes the answer. Stricter than WeCom where strictness
 * catches our bugs: app text over 2048 bytes is refused here, where WeCom would cut it.
 */

export interface SimAnswer {
  readonly status: number;
  readonly json?: Readonly<Record<string, unknown>>;
}

export interface SimRequest {
  readonly endpoint: SimulatedEndpoint;
  readonly query: URLSearchParams;
  /** The parsed JSON body; undefined for GET or a body that is not a JSON object. */
  readonly body: Readonly<Record<string, unknown>> | undefined;
}

const LIMITS = { webhookText: 2048, webhookMarkdown: 4096, appContent: 2048, responseUrl: 20480 };
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const APP_MESSAGES_PER_MEMBER_MINUTE = 30;
/** WeCom's hourly cap on app messages to one member (PROTOCOL.md 5.4). */
export const APP_MESSAGES_PER_MEMBER_HOUR = 1000;
const RESPONSE_URL_TTL_MS = 60 * MINUTE_MS;
/** No source shows what a used or expired response_url answers; any permanent errcode will do. */
export const RESPONSE_URL_REFUSED = 93000;

const answer = (errcode: number, extra: Record<string, unknown> = {}): SimAnswer => ({
  status: 200,
  json: { errcode, errmsg: errcode === 0 ? 'ok' : `simulated error ${errcode}`, ...extra },
});

export class SimulatedWecom {
  readonly accepted: SimulatedMessage[] = [];
  acceptAnyKey = false;
  private readonly webhookKeys = new Set<string>();
  private readonly apps = new Map<string, SimulatedApp>();
  private readonly tokens = new Map<string, { readonly app: SimulatedApp; expiresAt: number }>();
  private readonly responseCodes = new Map<string, { readonly issuedAt: number; used: boolean }>();
  private readonly recentSends = new Map<string, number[]>();
  private readonly appMessagesTo = new Map<string, { sent: number[]; blockedUntil: number }>();
  private readonly memberLimits: readonly { readonly max: number; readonly windowMs: number }[];

  constructor(
    private readonly clock: Clock,
    private readonly ratePerMinute: number,
    private readonly tokenTtlS: number,
    appMessagesPerMemberHour = APP_MESSAGES_PER_MEMBER_HOUR,
  ) {
    this.memberLimits = [
      { max: APP_MESSAGES_PER_MEMBER_MINUTE, windowMs: MINUTE_MS },
      { max: appMessagesPerMemberHour, windowMs: HOUR_MS },
    ];
  }

  registerWebhookKey(key: string): void {
    this.webhookKeys.add(key);
  }

  registerApp(app: SimulatedApp): void {
    this.apps.set(app.corpId, app);
  }

  issueResponseCode(): string {
    const code = randomBytes(12).toString('hex');
    this.responseCodes.set(code, { issuedAt: this.now(), used: false });
    return code;
  }

  expireTokens(): void {
    for (const entry of this.tokens.values()) entry.expiresAt = 0;
  }

  /** Answers one call; `fault` has already been taken from the plan (and a slow one waited out). */
  handle(req: SimRequest, fault: Fault | null): SimAnswer {
    if (fault?.mode === 'server_error') return { status: 502 };
    if (fault?.mode === 'rate_limit') return answer(45009);
    if (fault?.mode === 'busy') return answer(-1);
    if (fault?.mode === 'invalid_key') return answer(93000);
    if (fault?.mode === 'expire_tokens') this.expireTokens();
    switch (req.endpoint) {
      case 'webhook':
        return this.webhook(req);
      case 'response_url':
        return this.responseUrl(req);
      case 'gettoken':
        return this.gettoken(req);
      case 'message_send':
        return this.messageSend(req);
    }
  }

  private webhook(req: SimRequest): SimAnswer {
    const key = req.query.get('key') ?? '';
    if (!this.acceptAnyKey && !this.webhookKeys.has(key)) return answer(93000);
    const parsed = bodyOf(req.body, { text: LIMITS.webhookText, markdown: LIMITS.webhookMarkdown });
    if (typeof parsed === 'number') return answer(parsed);
    const recent = (this.recentSends.get(key) ?? []).filter((t) => t > this.now() - MINUTE_MS);
    this.recentSends.set(key, recent);
    if (recent.length >= this.ratePerMinute) return answer(45009);
    recent.push(this.now());
    return this.accept({ type: 'group_webhook', webhookKey: key }, parsed);
  }

  private responseUrl(req: SimRequest): SimAnswer {
    const code = req.query.get('response_code') ?? '';
    const entry = this.responseCodes.get(code);
    if (!entry || entry.used || this.now() - entry.issuedAt > RESPONSE_URL_TTL_MS) {
      return answer(RESPONSE_URL_REFUSED);
    }
    if (req.body?.msgtype !== 'markdown') return answer(40008);
    const parsed = bodyOf(req.body, { text: 0, markdown: LIMITS.responseUrl });
    if (typeof parsed === 'number') return answer(parsed);
    entry.used = true;
    return this.accept({ type: 'response_url', responseCode: code }, parsed);
  }

  private gettoken(req: SimRequest): SimAnswer {
    const app = this.apps.get(req.query.get('corpid') ?? '');
    if (!app) return answer(40013);
    if (req.query.get('corpsecret') !== app.corpSecret) return answer(40001);
    const token = randomBytes(32).toString('hex');
    this.tokens.set(token, { app, expiresAt: this.now() + this.tokenTtlS * 1000 });
    return answer(0, { access_token: token, expires_in: this.tokenTtlS });
  }

  private messageSend(req: SimRequest): SimAnswer {
    const token = req.query.get('access_token');
    if (!token) return answer(41001);
    const entry = this.tokens.get(token);
    if (!entry) return answer(40014);
    if (this.now() >= entry.expiresAt) return answer(42001);
    const body = req.body;
    if (entry.app.agentId !== undefined && body?.agentid !== entry.app.agentId) return answer(40056);
    const userIds = typeof body?.touser === 'string' ? body.touser.split('|').filter((id) => id !== '') : [];
    if (userIds.length === 0) return answer(81013);
    const parsed = bodyOf(body, { text: LIMITS.appContent, markdown: LIMITS.appContent });
    if (typeof parsed === 'number') return answer(parsed);
    const agentId = typeof body?.agentid === 'number' ? body.agentid : 0;
    // WeCom drops app messages past 30 a minute or 1,000 an hour to one member, with no error.
    const reached = userIds.filter((id) => this.takeAppMessageSlot(id));
    if (reached.length === 0) return answer(0);
    return this.accept({ type: 'app_message', userIds: reached, agentId }, parsed);
  }

  /**
   * Whether an app message reaches this member (PROTOCOL.md 5.4): one past a limit is dropped and
   * blocks the member for as long as that limit's window (a minute, an hour), from then on.
   */
  private takeAppMessageSlot(userId: string): boolean {
    const now = this.now();
    const member = this.appMessagesTo.get(userId) ?? { sent: [], blockedUntil: 0 };
    this.appMessagesTo.set(userId, member);
    if (now < member.blockedUntil) return false;
    member.sent = member.sent.filter((t) => t > now - HOUR_MS);
    for (const limit of this.memberLimits) {
      if (member.sent.filter((t) => t > now - limit.windowMs).length >= limit.max) {
        member.blockedUntil = now + limit.windowMs;
        return false;
      }
    }
    member.sent.push(now);
    return true;
  }

  private accept(destination: SimulatedDestination, body: OutgoingBody): SimAnswer {
    this.accepted.push({ at: new Date(this.now()), destination, body });
    return answer(0);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

/** The message in a send body, or the errcode refusing it. */
function bodyOf(
  body: Readonly<Record<string, unknown>> | undefined,
  limits: { readonly text: number; readonly markdown: number },
): OutgoingBody | number {
  const msgtype = body?.msgtype;
  if (msgtype !== 'text' && msgtype !== 'markdown') return 40008;
  const inner = body?.[msgtype];
  const fields = inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : {};
  const content = fields.content;
  if (typeof content !== 'string' || content === '') return 40058;
  if (Buffer.byteLength(content, 'utf8') > limits[msgtype]) return 40058;
  if (msgtype === 'markdown') return { kind: 'markdown', content };
  const list = fields.mentioned_list;
  const mentions = Array.isArray(list) ? list.filter((m): m is string => typeof m === 'string') : [];
  return mentions.length > 0 ? { kind: 'text', content, mentions } : { kind: 'text', content };
}
