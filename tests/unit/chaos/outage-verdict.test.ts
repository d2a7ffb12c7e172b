import { judgeOutages, type Outage } from '../../../chaos/lib/outage-verdict';
import type { Attempt } from '../../../chaos/lib/retrying-client';

/**
 * The database-outage case's judgement of what the client saw: 503s (promptly) while PostgreSQL
 * is down, and the service answering again, for good, within 5 s of PostgreSQL being back.
 */
const outage: Outage = { mode: 'fast', stoppingAt: 1000, downAt: 1200, startingAt: 11_200, upAt: 11_500 };

let index = 0;
function attempt(sentAt: number, ms: number, status: number): Attempt {
  return { index: index++, target: 0, status, sentAt, answeredAt: sentAt + ms };
}

/** Answered promptly throughout: 503 while down, 200 from 100 ms after the restart on. */
function healthyRun(): Attempt[] {
  const out: Attempt[] = [];
  for (let t = 0; t < 30_000; t += 100) {
    const down = t >= outage.stoppingAt && t < outage.upAt + 100;
    out.push(attempt(t, 5, down ? 503 : 200));
  }
  return out;
}

describe('database outage verdict', () => {
  it('passes prompt 503s while down and 200s from just after the restart', () => {
    const verdict = judgeOutages(healthyRun(), [outage]);
    expect(verdict.refusedWhileDown).toBe(true);
    expect(verdict.recovered).toBe(true);
  });

  it('fails a 200 answered while the server was down', () => {
    const attempts = [...healthyRun(), attempt(5000, 5, 200)];
    expect(judgeOutages(attempts, [outage]).refusedWhileDown).toBe(false);
  });

  it('fails a callback held while the server was down and answered only after it came back', () => {
    // Sent 3 s into the outage, answered 8 s later: WeCom (5 s timeout) gave up on it long before.
    const attempts = [...healthyRun(), attempt(4200, 8000, 200)];
    expect(judgeOutages(attempts, [outage]).refusedWhileDown).toBe(false);
  });

  it('fails a 503 that took longer than WeCom waits', () => {
    const attempts = [...healthyRun(), attempt(2000, 6000, 503)];
    expect(judgeOutages(attempts, [outage]).refusedWhileDown).toBe(false);
  });

  it('fails a service that answers one 200 after the restart but keeps failing callbacks after 5 s', () => {
    const attempts = healthyRun().map((a) =>
      a.sentAt >= outage.upAt + 6000 && a.index % 3 === 0 ? { ...a, status: 503 } : a,
    );
    expect(judgeOutages(attempts, [outage]).recovered).toBe(false);
  });

  it('does not hold against recovery an attempt the next stop caught in flight', () => {
    const next: Outage = {
      mode: 'immediate',
      stoppingAt: 25_000,
      downAt: 25_100,
      startingAt: 28_000,
      upAt: 28_300,
    };
    const attempts = healthyRun().map((a) =>
      a.sentAt >= next.stoppingAt && a.sentAt < next.upAt + 100 ? { ...a, status: 503 } : a,
    );
    const verdict = judgeOutages([...attempts, attempt(24_990, 30, 503)], [outage, next]);
    expect(verdict.recovered).toBe(true);
  });

  it('fails a service with no 200 within 5 s of the restart', () => {
    const attempts = healthyRun().map((a) =>
      a.sentAt >= outage.upAt && a.sentAt < outage.upAt + 6000 ? { ...a, status: 503 } : a,
    );
    expect(judgeOutages(attempts, [outage]).recovered).toBe(false);
  });
});
