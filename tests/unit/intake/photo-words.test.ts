import { onlyPointsAtPhotos } from '../../../src/intake/parse';

describe('onlyPointsAtPhotos', () => {
  it.each([
    '',
    '照片',
    '图片',
    '看图',
    '如图👇',
    '就是这个！',
    '这个[强]',
    '补充照片',
    '请看，这里',
    '@王建国 照片',
    '看一下图',
  ])('takes %j as pointing at the photo', (text) => {
    expect(onlyPointsAtPhotos(text)).toBe(true);
  });

  it.each([
    '扶手这里',
    '照片是三楼的',
    '补充 照片',
    '补充 1',
    '#报修',
    '查询 1',
    '这个灯不亮',
    '照片 @王建国',
    '照片1',
  ])('takes %j as words of their own', (text) => {
    expect(onlyPointsAtPhotos(text)).toBe(false);
  });

  it('answers at once for a long run of overlapping pointing words', () => {
    const started = Date.now();
    expect(onlyPointsAtPhotos(`${'看图'.repeat(5000)}灯`)).toBe(false);
    expect(onlyPointsAtPhotos(`${'看图'.repeat(8)}灯`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
