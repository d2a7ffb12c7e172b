import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyBudget, readRawBody } from '../../../src/http/raw-body';
import { isAppError } from '../../../src/shared/errors';

/**
 * Bodies being read at once share a budget: a flood of slow bodies, each within the size limit,
 * is refused with 503 (which WeCom retries) once together they would hold more than the budget,
 * and what a body held is given back when it ends, however it ends.
 */
const budget = new BodyBudget(1000);
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    readRawBody(req, { maxBytes: 800, timeoutMs: 5_000, budget }).then(
      (body) => res.writeHead(200).end(String(body.length)),
      (error: unknown) => res.writeHead(isAppError(error) ? error.status : 500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Starts a POST, writes `first` bytes, and returns a way to send the rest and read the status. */
function slowPost(first: number, rest: number) {
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/',
    headers: { 'transfer-encoding': 'chunked' },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.write(Buffer.alloc(first, 97));
  return {
    status,
    finish() {
      req.end(Buffer.alloc(rest, 97));
      return status;
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

it('refuses a body that would take the bodies being read past the budget, and gives back what each held', async () => {
  const a = slowPost(600, 100);
  await until(() => budget.used === 600);
  // 600 + 500 would pass 1000: refused, though 500 is within the size limit.
  expect(await slowPost(500, 0).finish()).toBe(503);
  expect(budget.used).toBe(600);
  expect(await a.finish()).toBe(200);
  expect(budget.used).toBe(0);
  // With the first body done, the same body fits.
  expect(await slowPost(500, 0).finish()).toBe(200);
  expect(budget.used).toBe(0);
});

it('gives back what a body over the size limit held', async () => {
  expect(await slowPost(500, 400).finish()).toBe(413);
  await until(() => budget.used === 0);
  expect(budget.used).toBe(0);
});
