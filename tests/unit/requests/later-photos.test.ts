import { PHOTO_WINDOW_MS, requestForPhotos } from '../../../src/requests/later-photos';
import type { RequestRow } from '../../../src/requests/request-store';
import { requestRows } from '../../helpers/request-rows';

describe('requestForPhotos', () => {
  const now = new Date('2026-11-30T02:00:00Z');
  const B7 = 'wrkB7FAKEjiangwan07';
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
  const request = requestRows({
    unitNo: 2,
    text: '2单元楼道灯不亮',
    chatId: B7,
    assigneeId: 'zhao.zq',
    createdAt: minutesAgo(2),
  });

  it('takes the newest active request filed in the same chat', () => {
    const older = request({ createdAt: minutesAgo(8) });
    const newer = request({ createdAt: minutesAgo(1), status: 'acknowledged' });
    expect(requestForPhotos([older, newer], B7, now)).toBe(newer);
    expect(requestForPhotos([newer, older], B7, now)).toBe(newer);
  });

  it('tells two requests filed in the same instant by their numbers', () => {
    const first = request({ createdAt: minutesAgo(1) });
    const second = request({ createdAt: minutesAgo(1) });
    expect(requestForPhotos([second, first], B7, now)).toBe(second);
  });

  it('takes a request exactly at the edge of the window, not a moment older', () => {
    const edge = request({ createdAt: new Date(now.getTime() - PHOTO_WINDOW_MS) });
    expect(requestForPhotos([edge], B7, now)).toBe(edge);
    const past = request({ createdAt: new Date(now.getTime() - PHOTO_WINDOW_MS - 1) });
    expect(requestForPhotos([past], B7, now)).toBeUndefined();
  });

  it.each<[string, Partial<RequestRow>]>([
    ['filed in another group', { chatId: 'wrkB7FAKEjiangwan06' }],
    ['withdrawn', { status: 'withdrawn' }],
    ['resolved', { status: 'resolved' }],
    ['closed', { status: 'closed' }],
  ])('passes over a request %s', (_, fields) => {
    expect(requestForPhotos([request(fields)], B7, now)).toBeUndefined();
  });

  it('takes a request filed in any group for photos sent in a private chat', () => {
    const elsewhere = request({ chatId: 'wrkB7FAKEjiangwan06' });
    expect(requestForPhotos([elsewhere], null, now)).toBe(elsewhere);
  });
});
