import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import type { RunContext } from '../bench/lib/context';
import { queryRows } from '../bench/lib/postgres';
import { withDesk } from './lib/desk';
import { hostileTextCallbacks, malformedInput, validCallback, type FuzzInput } from './lib/malformed';

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly error?: string;
}

/** One request; status 0 when no HTTP answer came within timeoutMs (a hang) or the socket failed. */
function send(
  port: number,
  input: Pick<FuzzInput, 'method' | 'channel' | 'query' | 'body'>,
  timeoutMs: number,
  agent: http.Agent,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: Omit<Answer, 'ms'>) => {
      if (done) return;
      done = true;
      resolve({ ...a, ms: performance.now() - started });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: input.method,
        path: `/wecom/${input.channel}?${input.query}`,
        agent,
        timeout: timeoutMs,
        headers: input.body ? { 'Content-Length': input.body.length } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => finish({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('timeout', () => {
      finish({ status: 0, error: 'hang' });
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, error: e.code ?? e.message }));
    req.end(input.body);
  });
}

/** Writes raw bytes on a socket and reads the status line of the answer. */
function rawExchange(
  port: number,
  write: (socket: net.Socket) => Promise<void>,
  timeoutMs: number,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = (a: Omit<Answer, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...a, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ status: 0, error: 'hang' }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) finish({ status: Number(m[1]) });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, error: e.code ?? e.message }));
    socket.on('close', () => finish({ status: 0, error: 'closed without an answer' }));
    socket.on('connect', () => void write(socket).catch(() => undefined));
  });
}

/** What the fuzzing may have left in the database: the message, a request made of it, a reply. */
async function storedRows(url: string): Promise<{ inbound: number; requests: number; outbox: number }> {
  const [row] = await queryRows<{ inbound: number; requests: number; outbox: number }>(
    url,
    `SELECT (SELECT count(*)::int FROM inbound_message) AS inbound,
            (SELECT count(*)::int FROM request) AS requests,
            (SELECT count(*)::int FROM outbox) AS outbox`,
  );
  if (!row) throw new Error('no counts');
  return row;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Huge and slow bodies, which the property below does not generate: a declared length over the
 * 1 MiB limit, a chunked body that passes it, bodies that stall mid-way (the body deadline is
 * 10 s) and headers that never end (Node's headersTimeout).
 */
async function hugeAndSlow(port: number): Promise<{ name: string; answer: Answer; ok: boolean }[]> {
  const path = '/wecom/bot?msg_signature=a&timestamp=1&nonce=1';
  const mib = 1024 * 1024;
  const is4xx = (a: Answer) => a.status >= 400 && a.status < 500;
  const cases: { name: string; run: () => Promise<Answer>; ok: (a: Answer) => boolean }[] = [
    {
      name: 'declared 2 GiB body',
      run: () =>
        rawExchange(
          port,
          async (s) => {
            s.write(
              `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * 1024 * mib}\r\n\r\n{"encrypt":"`,
            );
            await Promise.resolve();
          },
          15_000,
        ),
      ok: (a) => a.status === 413,
    },
    {
      name: 'chunked body past 1 MiB',
      run: () =>
        rawExchange(
          port,
          async (s) => {
            s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
            const chunk = Buffer.alloc(64 * 1024, 0x41);
            for (let i = 0; i < 40 && !s.destroyed; i++) {
              s.write(`${chunk.length.toString(16)}\r\n`);
              s.write(chunk);
              s.write('\r\n');
              await sleep(5);
            }
          },
          15_000,
        ),
      ok: (a) => a.status === 413 || (a.status === 0 && a.error !== 'hang'),
    },
    {
      name: '1 MiB + 1 byte, declared',
      run: () =>
        send(
          port,
          {
            method: 'POST',
            channel: 'bot',
            query: 'msg_signature=a&timestamp=1&nonce=1',
            body: Buffer.alloc(mib + 1, 0x20),
          },
          15_000,
          new http.Agent(),
        ),
      ok: is4xx,
    },
    {
      name: 'body stalls after 10 bytes',
      run: () =>
        rawExchange(
          port,
          async (s) => {
            s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"encrypt"`);
            await Promise.resolve();
          },
          20_000,
        ),
      ok: (a) => a.status === 408,
    },
    {
      name: 'body trickles a byte a second',
      run: () =>
        rawExchange(
          port,
          async (s) => {
            s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n`);
            for (let i = 0; i < 30 && !s.destroyed; i++) {
              s.write('x');
              await sleep(1000);
            }
          },
          20_000,
        ),
      ok: (a) => a.status === 408,
    },
    {
      name: 'headers never end',
      run: () =>
        rawExchange(
          port,
          async (s) => {
            s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n`);
            for (let i = 0; i < 30 && !s.destroyed; i++) {
              s.write(`X-Slow-${i}: y\r\n`);
              await sleep(1000);
            }
          },
          15_000,
        ),
      // Node answers 408 (or just closes) once headersTimeout passes.
      ok: (a) => a.status === 408 || (a.status === 0 && a.error !== 'hang'),
    },
  ];
  return Promise.all(
    cases.map(async (c) => {
      const answer = await c.run();
      return { name: c.name, answer, ok: c.ok(answer) };
    }),
  );
}

/**
 * Malformed callbacks, generated with fast-check (10,000 in the full run): each must be answered
 * with a 4xx, quickly; never a 5xx, a crash or a hang; and nothing may be stored. The huge and slow
 * bodies run alongside.
 */
export async function chaosFuzz(ctx: RunContext): Promise<void> {
  const { report } = ctx;
  const runs = ctx.smoke ? 1000 : 10_000;
  ctx.log(`== fuzzing the callback endpoints: ${runs} malformed callbacks, plus huge and slow bodies`);
  await withDesk(ctx, { name: 'fuzz', instances: 1, slot: 50 }, async (desk) => {
    const service = desk.instance();
    const port = service.options.port;
    const slow = hugeAndSlow(port);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const byKind = new Map<string, Map<number, number>>();
    let slowest = 0;
    let failure: string | null = null;
    try {
      await fc.assert(
        fc.asyncProperty(malformedInput(), async (input) => {
          const answer = await send(port, input, 10_000, agent);
          const statuses = byKind.get(input.kind) ?? new Map<number, number>();
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          byKind.set(input.kind, statuses);
          slowest = Math.max(slowest, answer.ms);
          if (!(answer.status >= 400 && answer.status < 500)) {
            throw new Error(
              `${input.kind}: answered ${answer.status || answer.error} in ${answer.ms.toFixed(0)} ms`,
            );
          }
        }),
        { numRuns: runs, seed: 20261128, endOnFailure: true },
      );
    } catch (error) {
      failure = error instanceof Error ? error.message.split('\n').slice(0, 6).join(' ') : String(error);
    }
    agent.destroy();
    const slowResults = await slow;
    const alive = service.running() && (await service.healthy());
    const stored = await storedRows(desk.databaseUrl);
    const unhandled = (service.newLog().match(/"level":50/g) ?? []).length;
    // Then one valid callback per channel, built like the fuzzed ones: each must be answered 200
    // and stored, or the inputs above were refused for something other than their fault, or the
    // count above could not have seen a stored message.
    const controls = (['bot', 'app'] as const).map((c) => validCallback(c, `fuzzControl${c}${Date.now()}`));
    const controlAnswers = [];
    for (const control of controls) controlAnswers.push(await send(port, control, 10_000, new http.Agent()));
    const afterControls = await storedRows(desk.databaseUrl);
    // Then valid posts of hostile texts, all at once with a plain one: each answered 200 within
    // WeCom's 5 s, the plain one too (one slow reading would hold every callback behind it).
    const hostile = [
      ...hostileTextCallbacks(`fuzzHostile${Date.now()}`),
      validCallback('bot', `fuzzPlain${Date.now()}`),
    ];
    const hostileAnswers = await Promise.all(
      hostile.map((input) => send(port, input, 30_000, new http.Agent())),
    );
    const afterHostile = await storedRows(desk.databaseUrl);

    const summary = [...byKind.entries()]
      .map(
        ([kind, statuses]) => `${kind}: ${[...statuses.entries()].map(([s, n]) => `${n}× ${s}`).join(' ')}`,
      )
      .join('; ');
    report.note(summary);
    report.check(
      'fuzz: every malformed callback answered 4xx, none 5xx or hanging',
      failure === null,
      failure ?? `${runs} inputs, slowest answer ${slowest.toFixed(0)} ms`,
    );
    report.check(
      'fuzz: huge and slow bodies refused (413, 408) within their deadlines',
      slowResults.every((r) => r.ok),
      slowResults
        .map(
          (r) => `${r.name}: ${r.answer.status || r.answer.error} after ${(r.answer.ms / 1000).toFixed(1)} s`,
        )
        .join('; '),
    );
    report.check(
      'fuzz: the service is alive, logged no error, and stored nothing',
      alive && stored.inbound + stored.requests + stored.outbox === 0 && unhandled === 0,
      `alive ${alive}, ${stored.inbound} inbound rows, ${stored.requests} requests, ${stored.outbox} outbox rows, ${unhandled} error lines in its log`,
    );
    report.check(
      'fuzz: a valid callback of each channel, built the same way, is answered 200 and stored',
      controlAnswers.every((a) => a.status === 200) &&
        afterControls.inbound - stored.inbound === controls.length,
      `answered ${controlAnswers.map((a) => a.status || a.error).join(', ')}; ${afterControls.inbound} inbound rows after them`,
    );
    report.check(
      'fuzz: posts of long walls of marks, emoji and dots answered 200 within 5 s, with a plain one beside them',
      hostileAnswers.every((a) => a.status === 200 && a.ms < 5000) &&
        afterHostile.inbound - afterControls.inbound === hostile.length,
      `answered ${hostileAnswers.map((a) => `${a.status || a.error} in ${a.ms.toFixed(0)} ms`).join(', ')}; ${afterHostile.inbound - afterControls.inbound} stored`,
    );
  });
}
