import http from 'node:http';

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

/** One POST; never rejects: failures come back as status 0 with the error's code. */
export function post(
  agent: http.Agent,
  target: PostTarget,
  path: string,
  body: string,
  timeoutMs = 30_000,
): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: { status: number; error?: string }) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    const req = http.request(
      {
        host: target.host,
        port: target.port,
        path,
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', (error: NodeJS.ErrnoException) =>
          done({ status: 0, error: error.code ?? error.message }),
        );
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error('timeout'));
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

/** `concurrency` clients send requests 0, 1, 2, … in turn until the list or the time runs out. */
export async function closedLoop(options: {
  readonly target: PostTarget;
  readonly concurrency: number;
  readonly requests: readonly Request[];
  readonly durationMs: number;
}): Promise<{ sent: Sent[]; elapsedMs: number }> {
  const agent = agentFor(options.concurrency);
  const sent: Sent[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const index = next++;
      const request = options.requests[index];
      if (!request) return;
      const t0 = performance.now();
      const answer = await post(agent, options.target, request.path, request.body);
      sent.push({
        index,
        status: answer.status,
        startedAt: t0,
        ms: performance.now() - t0,
        ...errorOf(answer),
      });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { sent, elapsedMs };
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
