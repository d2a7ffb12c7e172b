import { repeatOf, wordsOf } from '../../../src/requests/repeat-posts';
import type { RequestRow } from '../../../src/requests/request-store';
import { requestRows } from '../../helpers/request-rows';

describe('wordsOf', () => {
  it.each([
    ['1单元3楼水管漏水', '1单元 3楼 水管漏水！'],
    ['1单元3楼水管漏水', '１单元３楼水管漏水。'],
    ['门口地砖松了，容易绊倒', '门口地砖松了,容易绊倒~'],
    ['灯不亮', '灯不亮😀😀'],
    ['A座门禁坏了', 'a座门禁坏了'],
  ])('reads 「%s」 and 「%s」 as the same words', (a, b) => {
    expect(wordsOf(a)).toBe(wordsOf(b));
  });

  it.each([
    ['1单元3楼水管漏水', '2单元3楼水管漏水'],
    ['楼道灯不亮', '楼道灯不亮了'],
  ])('tells 「%s」 from 「%s」', (a, b) => {
    expect(wordsOf(a)).not.toBe(wordsOf(b));
  });
});

describe('repeatOf', () => {
  const now = new Date('2026-11-30T02:00:00Z');
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
  const request = requestRows({
    unitNo: 1,
    text: '1单元3楼水管漏水',
    chatId: 'wrkB7FAKEjiangwan07',
    assigneeId: 'li.xl',
    createdAt: minutesAgo(1),
  });
  const post = { buildingId: 'jw-b7', text: '1单元3楼水管漏水！', hasPhotos: false };

  it('finds the newest active request in the same words about the same building', () => {
    const older = request({ createdAt: minutesAgo(20) });
    const newer = request({ createdAt: minutesAgo(5), status: 'acknowledged' });
    expect(repeatOf(post, [newer, older], now)).toBe(newer);
    expect(repeatOf(post, [request({ createdAt: minutesAgo(30) })], now)).toBeDefined();
  });

  it.each<[string, Partial<RequestRow>]>([
    ['older than 30 minutes', { createdAt: minutesAgo(31) }],
    ['withdrawn', { status: 'withdrawn' }],
    ['resolved', { status: 'resolved' }],
    ['about another building', { buildingId: 'jw-b5' }],
    ['in other words', { text: '1单元4楼水管漏水' }],
  ])('passes over a request %s', (_, fields) => {
    expect(repeatOf(post, [request(fields)], now)).toBeUndefined();
  });

  it('files a post with photos when the earlier one had none, and repeats one that had', () => {
    const withPhotos = { ...post, hasPhotos: true };
    expect(repeatOf(withPhotos, [request()], now)).toBeUndefined();
    expect(repeatOf(withPhotos, [request({ imageUrls: ['https://x/1'] })], now)).toBeDefined();
  });
});
