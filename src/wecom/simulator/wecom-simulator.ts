import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../shared/clock';
import { FaultPlan } from './fault-plan';
import { MEDIA_PREFIX, MediaHost } from './media-host';
import { SimulatedWecom, type SimAnswer } from './simulated-wecom';
import type {
  FaultMode,
  FaultOptions,
  SimulatedApp,
  SimulatedCall,
  SimulatedEndpoint,
  SimulatedMessage,
} from './simulator-types';

export interface SimulatorOptions {
  /** Drives the 20/min window, token and response_url expiry; share it with the code under test. */
  readonly clock?: Clock;
  /** Accept any webhook key instead of only registered ones. */
  readonly acceptAnyWebhookKey?: boolean;
  readonly ratePerMinute?: number;
  /** App messages one member may receive an hour (WeCom: 1,000); a test may lower it. */
  readonly appMessagesPerMemberHour?: number;
  /** expires_in of issued access tokens. */
  readonly tokenTtlS?: number;
  readonly apps?: readonly SimulatedApp[];
}

const ROUTES: Readonly<Record<string, { readonly method: string; readonly endpoint: SimulatedEndpoint }>> = {
  '/cgi-bin/webhook/send': { method: 'POST', endpoint: 'webhook' },
  '/cgi-bin/aibot/response': { method: 'POST', endpoint: 'response_url' },
  '/cgi-bin/gettoken': { method: 'GET', endpoint: 'gettoken' },
  '/cgi-bin/message/send': { method: 'POST', endpoint: 'message_send' },
};

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Paths under this prefix control the simulator; they are not WeCom's. */
export const CONTROL_PREFIX = '/_simulator';
const FAULT_MODES: readonly FaultMode[] = [
  'rate_limit',
  'busy',
  'server_error',
  'slow',
  'invalid_key',
  'expire_tokens',
];

interface Waiter {
  readonly n: number;
  readonly resolve: (messages: SimulatedMessage[]) => void;
}

/**
 * A local stand-in for qyapi.weixin.qq.com over real HTTP: point WECOM_API_BASE (or the client's
 * apiBase) at `url`. It records what it accepted and can be told to fail, for tests and trials.
 */
export class WecomSimulator {
  private readonly clock: Clock;
  private readonly wecom: SimulatedWecom;
  private readonly faults = new FaultPlan();
  private readonly media: MediaHost;
  private readonly callLog: SimulatedCall[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly delays = new Set<NodeJS.Timeout>();
  private server: Server | null = null;
  private baseUrl: string | null = null;

  constructor(options: SimulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.wecom = new SimulatedWecom(
      this.clock,
      options.ratePerMinute ?? 20,
      options.tokenTtlS ?? 7200,
      options.appMessagesPerMemberHour,
    );
    this.wecom.acceptAnyKey = options.acceptAnyWebhookKey ?? false;
    this.media = new MediaHost(this.clock);
    for (const app of options.apps ?? []) this.wecom.registerApp(app);
  }

  /** Listens on 127.0.0.1; port 0 picks a free one. */
  async start(port = 0, host = '127.0.0.1'): Promise<void> {
    if (this.server) throw new Error('the simulator is already started');
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The API origin, e.g. http://127.0.0.1:40123. */
  get url(): string {
    if (!this.baseUrl) throw new Error('the simulator is not started');
    return this.baseUrl;
  }

  registerWebhookKey(key: string): void {
    this.wecom.registerWebhookKey(key);
  }

  acceptAnyWebhookKey(on = true): void {
    this.wecom.acceptAnyKey = on;
  }

  registerApp(app: SimulatedApp): void {
    this.wecom.registerApp(app);
  }

  /** A fresh one-use response_url, as the robot would hand out with a message callback. */
  issueResponseUrl(): string {
    return `${this.url}/cgi-bin/aibot/response?response_code=${this.wecom.issueResponseCode()}`;
  }

  /**
   * A download link for bytes (encrypt them first, as WeCom does), like the robot's image.url: it
   * answers 404 once lifetimeMs (5 minutes) has passed on the simulator's clock, or after expireMedia.
   */
  hostMedia(bytes: Uint8Array, lifetimeMs = 5 * 60_000): string {
    return `${this.url}${this.media.host(bytes, lifetimeMs)}`;
  }

  expireMedia(url: string): void {
    this.media.expire(new URL(url).pathname);
  }

  /** How many times the link was requested. */
  mediaDownloads(url: string): number {
    return this.media.downloads(new URL(url).pathname);
  }

  /** The next n calls the fault applies to fail that way. */
  failNext(n: number, mode: FaultMode, options?: FaultOptions): void {
    this.faults.failNext(n, mode, options);
  }

  /** Every call the mode applies to fails that way, until setMode('normal'). */
  setMode(mode: FaultMode | 'normal', options?: FaultOptions): void {
    this.faults.setMode(mode, options);
  }

  expireTokens(): void {
    this.wecom.expireTokens();
  }

  messages(): SimulatedMessage[] {
    return [...this.wecom.accepted];
  }

  calls(): SimulatedCall[] {
    return [...this.callLog];
  }

  /** Forgets messages, calls and faults; keys, apps and tokens stay. */
  reset(): void {
    this.wecom.accepted.length = 0;
    this.callLog.length = 0;
    this.faults.clear();
  }

  /** Resolves once at least n messages were accepted; rejects after timeoutMs. */
  waitForMessages(n: number, timeoutMs = 5000): Promise<SimulatedMessage[]> {
    if (this.wecom.accepted.length >= n) return Promise.resolve(this.messages());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        n,
        resolve: (messages) => {
          clearTimeout(timer);
          resolve(messages);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`expected ${n} messages within ${timeoutMs} ms, got ${this.wecom.accepted.length}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      await this.serveControl(url, req, res);
      return;
    }
    if (url.pathname.startsWith(MEDIA_PREFIX)) {
      this.media.serve(req.method, url.pathname, res);
      return;
    }
    const route = ROUTES[url.pathname];
    if (!route || route.method !== req.method) {
      res.writeHead(404).end();
      return;
    }
    let body: Record<string, unknown> | undefined;
    try {
      body = parseObject(await readBody(req));
    } catch {
      res.writeHead(413).end();
      return;
    }
    const fault = this.faults.take(route.endpoint);
    if (fault?.mode === 'slow') {
      const waited = await this.delay(fault.delayMs);
      if (!waited) return;
    }
    const answer = this.wecom.handle({ endpoint: route.endpoint, query: url.searchParams, body }, fault);
    this.callLog.push({
      at: this.clock.now(),
      endpoint: route.endpoint,
      httpStatus: answer.status,
      ...(typeof answer.json?.errcode === 'number' ? { errcode: answer.json.errcode } : {}),
    });
    write(res, answer);
    this.notifyWaiters();
  }

  /**
   * The simulator's own control API, for a separate process (`mulin say`, a trial): read what
   * was sent, get a response_url to put in a callback, switch faults on and off.
   */
  private async serveControl(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' }).end(JSON.stringify(value));
    const path = url.pathname.slice(CONTROL_PREFIX.length);
    if (req.method === 'GET' && path === '/messages') {
      const after = Number(url.searchParams.get('after') ?? '0');
      const all = this.wecom.accepted;
      const from = Number.isInteger(after) && after > 0 ? after : 0;
      json(200, { next: all.length, messages: all.slice(from) });
      return;
    }
    if (req.method === 'POST' && path === '/response-url') {
      json(200, { url: this.issueResponseUrl() });
      return;
    }
    if (req.method === 'POST' && path === '/fault') {
      let body: Record<string, unknown> | undefined;
      try {
        body = parseObject(await readBody(req));
      } catch {
        body = undefined;
      }
      const mode = body?.mode;
      const n = body?.n;
      const delayMs = typeof body?.delayMs === 'number' ? body.delayMs : undefined;
      const options = delayMs === undefined ? undefined : { delayMs };
      if (mode === 'normal') this.setMode('normal');
      else if (typeof mode === 'string' && FAULT_MODES.includes(mode as FaultMode)) {
        if (typeof n === 'number') this.failNext(n, mode as FaultMode, options);
        else this.setMode(mode as FaultMode, options);
      } else {
        json(400, { error: `mode must be one of normal, ${FAULT_MODES.join(', ')}` });
        return;
      }
      json(200, { ok: true });
      return;
    }
    res.writeHead(404).end();
  }

  /** Waits, unless the simulator stops meanwhile (then resolves false and the call is dropped). */
  private delay(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve(this.server !== null);
      }, ms);
      this.delays.add(timer);
    });
  }

  private notifyWaiters(): void {
    for (const waiter of this.waiters) {
      if (this.wecom.accepted.length >= waiter.n) {
        this.waiters.delete(waiter);
        waiter.resolve(this.messages());
      }
    }
  }
}

function write(res: ServerResponse, answer: SimAnswer): void {
  if (!answer.json) {
    res.writeHead(answer.status, { 'Content-Type': 'text/html' }).end('<html>Bad Gateway</html>');
    return;
  }
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(answer.json));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
