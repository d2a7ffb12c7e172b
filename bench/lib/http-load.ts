import http from 'node:http';
import { RawConnection } from './raw-http';

/**
 * A small load generator on node:http with keep-alive connections: closed loop (N clients, each
 * sending its next request when the last one is answered) and open loop (a fixed arrival rate,
 * whatever the answers do). Latency is measured per request, from the send to the full answer.
 */
export interface Sent {
  readonly index: number;
  /** 0 when no HTTP answer came (connection refused or reset, timeout). */
  readonly status: number;
  readonly startedAt: number;
  readonly ms: number;
  readonly error?: string;
}

export interface PostTarget {
  readonly host: string;
  readonly port: number;
}

export function agentFor(connections: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

/**
 * One POST; never rejects: failures come back as status 0 with the error's code. `written` says
 * whether the whole request reached the kernel's socket for the server: an attempt that waited past
 * its deadline for a free connection never did.
 */
export function post(
  agent: http.Agent,
  target: PostTarget,
  path: string,
  body: string,
  timeoutMs = 30_000,
): Promise<{ status: number; error?: string; written: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    let written = false;
    const done = (value: { status: number; error?: string }) => {
      if (settled) return;
      settled = true;
      resolve({ ...value, written });
    };
    const req = http.request(
      {
        host: target.host,
        port: target.port,
        path,
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', (error: NodeJS.ErrnoException) =>
          done({ status: 0, error: error.code ?? error.message }),
        );
      },
    );
    // A deadline for the whole exchange, from now (as WeCom's 5 s), including any wait for a
    // free connection: a socket timeout would only count idle time on an assigned socket.
    const deadline = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('finish', () => {
      written = true;
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      done({ status: 0, error: error.code ?? error.message }),
    );
    req.end(body);
  });
}

export interface Request {
  readonly path: string;
  readonly body: string;
}

/**
 * `concurrency` clients send requests 0, 1, 2, … in turn until the list or the time runs out, each
 * on its own keep-alive connection (raw-http.ts: a lighter client than node:http, so the harness
 * takes less of the machine from what it measures).
 */
export async function closedLoop(options: {
  readonly target: PostTarget;
  readonly concurrency: number;
  readonly requests: readonly Request[];
  readonly durationMs: number;
}): Promise<{ sent: Sent[]; elapsedMs: number }> {
  const sent: Sent[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async () => {
    const connection = new RawConnection(options.target.host, options.target.port);
    try {
      while (performance.now() < deadline) {
        const index = next++;
        const request = options.requests[index];
        if (!request) return;
        const t0 = performance.now();
        const answer: { status: number; error?: string } = await connection
          .post(request.path, request.body)
          .then(
            (status) => ({ status }),
            (error: unknown) => {
              const e = error as NodeJS.ErrnoException;
              return { status: 0, error: e.code ?? e.message };
            },
          );
        sent.push({
          index,
          status: answer.status,
          startedAt: t0,
          ms: performance.now() - t0,
          ...errorOf(answer),
        });
      }
    } finally {
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return { sent, elapsedMs: performance.now() - started };
}

/** Sends request i at start + i / rate seconds, without waiting for earlier answers. */
export async function openLoop(options: {
  readonly target: PostTarget;
  readonly ratePerS: number;
  readonly requests: readonly Request[];
  /** Called just before request i goes out, with the wall-clock time (ms since the epoch). */
  readonly onSend?: (index: number, atEpochMs: number) => void;
}): Promise<{ sent: Sent[]; elapsedMs: number }> {
  const agent = agentFor(256);
  const sent: Sent[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const interval = 1000 / options.ratePerS;
  for (let i = 0; i < options.requests.length; i++) {
    const request = options.requests[i];
    if (!request) break;
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    options.onSend?.(i, Date.now());
    const t0 = performance.now();
    inFlight.push(
      post(agent, options.target, request.path, request.body).then((answer) => {
        sent.push({
          index: i,
          status: answer.status,
          startedAt: t0,
          ms: performance.now() - t0,
          ...errorOf(answer),
        });
      }),
    );
  }
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { sent, elapsedMs };
}

function errorOf(answer: { error?: string }): { error?: string } {
  return answer.error === undefined ? {} : { error: answer.error };
}

/** What happened to one message delivered the way WeCom delivers callbacks. */
export interface Delivery {
  readonly index: number;
  /** Attempts made (1 to maxAttempts). */
  readonly attempts: number;
  /** The status of the last attempt (0: no answer in time, or no connection). */
  readonly status: number;
  /** From the first attempt's send to the 200, when one came. */
  readonly msToAccepted: number | null;
  /** The answered attempt's own latency, when one was answered 200. */
  readonly ms: number | null;
  /** Answers other than 200 (a 503, say), over all attempts. */
  readonly refused: number;
  /** Attempts given up on after timeoutMs. */
  readonly timedOut: number;
  /** Attempts whose request was written to a connection (the others waited for one in vain). */
  readonly written: number;
}

/**
 * Delivers message i at start + i / rate seconds as WeCom does (PROTOCOL.md §2.4): an attempt that
 * gets no answer within timeoutMs, or an answer other than 200, is sent again (the same bytes)
 * after retryDelayMs, up to maxAttempts in total.
 */
export async function wecomDeliveries(options: {
  readonly target: PostTarget;
  readonly ratePerS: number;
  readonly requests: readonly Request[];
  readonly timeoutMs: number;
  readonly retryDelayMs: number;
  readonly maxAttempts: number;
  readonly connections: number;
}): Promise<{ deliveries: Delivery[]; elapsedMs: number }> {
  const agent = agentFor(options.connections);
  const deliveries: Delivery[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const interval = 1000 / options.ratePerS;
  const deliver = async (index: number, request: Request) => {
    const first = performance.now();
    let refused = 0;
    let timedOut = 0;
    let written = 0;
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      const answer = await post(agent, options.target, request.path, request.body, options.timeoutMs);
      const now = performance.now();
      if (answer.written) written++;
      if (answer.status === 200) {
        deliveries.push({
          index,
          attempts: attempt,
          status: 200,
          msToAccepted: now - first,
          ms: now - t0,
          refused,
          timedOut,
          written,
        });
        return;
      }
      if (answer.status === 0 && answer.error === 'timeout') timedOut++;
      else refused++;
      if (attempt >= options.maxAttempts) {
        deliveries.push({
          index,
          attempts: attempt,
          status: answer.status,
          msToAccepted: null,
          ms: null,
          refused,
          timedOut,
          written,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
    }
  };
  for (let i = 0; i < options.requests.length; i++) {
    const request = options.requests[i];
    if (!request) break;
    const wait = started + i * interval - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(deliver(i, request));
  }
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { deliveries, elapsedMs };
}
