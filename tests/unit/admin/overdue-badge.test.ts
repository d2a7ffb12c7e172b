import { missedDeadline, overdueLabel } from '../../../src/http/admin/request-bits';
import type { RequestRow } from '../../../src/requests/request-store';
import { requestRows } from '../../helpers/request-rows';

const NOW = new Date('2026-11-25T06:00:00Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

const request = requestRows({
  reporterId: 'res.1',
  assigneeId: 'zhao.zq',
  createdAt: ago(60 * 24 * 10),
});

const label = (r: RequestRow) => {
  const missed = missedDeadline(r, NOW);
  return missed && overdueLabel(missed, NOW);
};

describe('the overdue badge', () => {
  it('names the deadline missed first and how long ago', () => {
    expect(label(request({ ackDueAt: ago(3 * 1440 + 5), resolveDueAt: ago(10) }))).toBe('超时未接单 3天');
    expect(label(request({ ackDueAt: ago(5 * 60 + 59), resolveDueAt: null }))).toBe('超时未接单 5小时');
    expect(label(request({ ackDueAt: ago(20) }))).toBe('超时未接单 20分钟');
    expect(label(request({ ackDueAt: ago(0.5) }))).toBe('超时未接单 1分钟');
    // An urgent request's resolve deadline can pass before the acknowledge one.
    expect(label(request({ ackDueAt: ago(30), resolveDueAt: ago(90) }))).toBe('超时未办结 1小时');
    expect(label(request({ status: 'acknowledged', ackDueAt: ago(9000), resolveDueAt: ago(1500) }))).toBe(
      '超时未办结 1天',
    );
  });

  it('is not shown for a request on time or no longer in hand', () => {
    expect(label(request({ ackDueAt: new Date(NOW.getTime() + 60_000) }))).toBeNull();
    expect(label(request({ status: 'acknowledged', ackDueAt: ago(600) }))).toBeNull();
    expect(label(request({ status: 'resolved', resolveDueAt: ago(600) }))).toBeNull();
    expect(label(request({ status: 'withdrawn', ackDueAt: ago(600) }))).toBeNull();
  });
});
