import { judgeDuplicates } from '../../../chaos/sigkill';
import type { SimulatedMessage } from '../../../src/wecom/simulator';

/**
 * The SIGKILL case allows a receipt twice only where the outbox design admits it: a kill between
 * WeCom accepting the message and the row being marked sent, the row sent again when its lease
 * (2 minutes) runs out. Anything else sent twice is a bug the case must report.
 */
const LEASE_MS = 120_000;
const at = (ms: number) => ({ at: new Date(ms) }) as unknown as SimulatedMessage;

describe('SIGKILL duplicate receipts', () => {
  it('explains a receipt resent after the lease, with a kill right after the first send', () => {
    const receipts = new Map([['m1', [at(10_000), at(10_000 + LEASE_MS + 800)]]]);
    expect(judgeDuplicates(receipts, [10_400], LEASE_MS)).toEqual({ explained: 1, unexplained: 0 });
  });

  it('does not explain a receipt sent twice within a second, whatever was killed then', () => {
    const receipts = new Map([['m1', [at(10_000), at(10_300)]]]);
    expect(judgeDuplicates(receipts, [10_100], LEASE_MS)).toEqual({ explained: 0, unexplained: 1 });
  });

  it('does not explain a resend after the lease with no kill near the first send', () => {
    const receipts = new Map([['m1', [at(10_000), at(10_000 + LEASE_MS + 800)]]]);
    expect(judgeDuplicates(receipts, [30_000], LEASE_MS)).toEqual({ explained: 0, unexplained: 1 });
  });

  it('ignores receipts sent once', () => {
    const receipts = new Map([['m1', [at(10_000)]]]);
    expect(judgeDuplicates(receipts, [], LEASE_MS)).toEqual({ explained: 0, unexplained: 0 });
  });
});
