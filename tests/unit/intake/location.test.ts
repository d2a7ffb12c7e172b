import { type Location, formatLocation, parseChineseNumber, parseLocation } from '../../../src/intake/parse';

describe('parseLocation', () => {
  it.each<[string, Location]>([
    ['2单元楼道灯不亮', { unit: 2 }],
    ['二单元门口', { unit: 2 }],
    ['十二单元', { unit: 12 }],
    ['第二十三单元', { unit: 23 }],
    ['两单元之间的路灯', { unit: 2 }],
    ['3-2-301漏水', { building: '3', unit: 2, room: '301' }],
    ['３－２－３０１', { building: '3', unit: 2, room: '301' }],
    ['7号楼2单元301', { building: '7', unit: 2, room: '301' }],
    ['7栋2单元301室', { building: '7', unit: 2, room: '301' }],
    ['我家在12号楼 3单元 1202，卫生间漏水', { building: '12', unit: 3, room: '1202' }],
    ['2单元301卫生间漏水', { unit: 2, room: '301' }],
    ['２单元３０１', { unit: 2, room: '301' }],
    ['2单元3楼301', { unit: 2, room: '301' }],
    ['301室门口有垃圾', { room: '301' }],
    ['3号楼门口', { building: '3' }],
    ['三号楼门口', { building: '3' }],
    ['十一栋后面', { building: '11' }],
    ['B座1202', { building: 'B', room: '1202' }],
    ['5幢楼道', { building: '5' }],
    ['2号单元楼道灯不亮', { unit: 2 }],
    // Beijing's 门 for 单元: after a building or before a room.
    ['7号楼2门301', { building: '7', unit: 2, room: '301' }],
    ['3号楼二门楼道灯不亮', { building: '3', unit: 2 }],
    ['2门1202卫生间漏水', { unit: 2, room: '1202' }],
  ])('%j → %j', (text, expected) => {
    expect(parseLocation(text)).toEqual(expected);
  });

  it.each([
    ['3楼楼道灯不亮'],
    ['三楼的声控灯坏了'],
    ['有事打我电话13812345678'],
    ['电话 138-1234-5678'],
    ['今天18:00之后停水'],
    ['11月28日上午停电'],
    ['2024-11-28 检修'],
    ['11月3号楼下集合'],
    ['一栋楼都停电了'],
    ['交了300房租'],
    ['物业费一年1800元'],
    ['楼道灯坏了'],
    ['家里3门冰箱坏了'],
    ['换防盗门3000元'],
  ])('%j has no location', (text) => {
    expect(parseLocation(text)).toEqual({});
  });
});

describe('formatLocation', () => {
  it.each<[Location, string]>([
    [{ unit: 2, room: '301' }, '2单元301室'],
    [{ building: '3', unit: 2 }, '3号楼2单元'],
    [{ building: '7', unit: 2, room: '301' }, '7号楼2单元301室'],
    [{ room: '301' }, '301室'],
    [{ building: 'B' }, 'B栋'],
    [{}, ''],
  ])('%j → %j', (location, text) => {
    expect(formatLocation(location)).toBe(text);
  });

  it('round-trips what parseLocation reads', () => {
    expect(formatLocation(parseLocation('7栋 二单元 301'))).toBe('7号楼2单元301室');
  });
});

describe('parseChineseNumber', () => {
  it.each<[string, number | null]>([
    ['一', 1],
    ['两', 2],
    ['十', 10],
    ['十二', 12],
    ['二十', 20],
    ['九十九', 99],
    ['十十', null],
    ['三四', null],
    ['', null],
  ])('%j → %j', (text, n) => {
    expect(parseChineseNumber(text)).toBe(n);
  });
});
