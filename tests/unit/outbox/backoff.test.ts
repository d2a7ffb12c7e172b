import { backoffMs } from '../../../src/outbox/backoff';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('backoffMs', () => {
  it('doubles per attempt, between half and all of the ceiling', () => {
    expect(backoffMs(1, undefined, policy, () => 0)).toBe(500);
    expect(backoffMs(1, undefined, policy, () => 0.999999)).toBe(1000);
    expect(backoffMs(2, undefined, policy, () => 0)).toBe(1000);
    expect(backoffMs(4, undefined, policy, () => 0.5)).toBe(6000);
  });

  it('stops growing at maxMs, however many attempts', () => {
    expect(backoffMs(30, undefined, policy, () => 0.999999)).toBe(60_000);
    expect(backoffMs(500, undefined, policy, () => 0)).toBe(30_000);
  });

  it('spreads rows that failed together', () => {
    const delays = [0.1, 0.4, 0.7].map((r) => backoffMs(3, undefined, policy, () => r));
    expect(new Set(delays).size).toBe(3);
  });

  it('waits out the minute after a rate-limit refusal', () => {
    expect(backoffMs(1, 45009, policy, () => 0)).toBe(60_000);
  });
});
