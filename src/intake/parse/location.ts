import { toHalfWidth } from './text';

/** Where in the estate a request is. Floors are not kept: neighbours name rooms, not floors. */
export interface Location {
  /** Building number as written (`'7'`), or a letter for lettered blocks (`'A'`). */
  building?: string;
  unit?: number;
  /** Room number as written (`'301'`). */
  room?: string;
}

const CN_DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/**
 * Reads 一..九十九 (and 两 for 二). Returns null for anything else, including malformed runs
 * such as 十十 or 三四, so a stray numeral in prose is not taken for a number.
 */
export function parseChineseNumber(text: string): number | null {
  const m = /^(?:([一二两三四五六七八九])?(十))?([一二两三四五六七八九])?$/u.exec(text);
  if (!m || text === '') return null;
  const [, tens, ten, ones] = m;
  const tensValue = ten ? (tens ? (CN_DIGITS[tens] ?? 0) : 1) : 0;
  const onesValue = ones ? (CN_DIGITS[ones] ?? 0) : 0;
  return tensValue * 10 + onesValue;
}

const CN_NUM = '[一二两三四五六七八九十]{1,3}';
/** A small number as digits or Chinese numerals. */
const NUM = `(?:\\d{1,3}|${CN_NUM})`;
/** Not inside a longer number; not right after 月, so `11月3号楼下` (the 3rd, downstairs) is a date. */
const NUM_START = '(?<![\\d一二两三四五六七八九十月.:-])';
/** Building markers; a bare `楼` is a floor (`3楼`), not a building. */
const BUILDING_MARK = '(?:号楼|号栋|栋|幢|座)';
/**
 * After a room number: nothing that would make it a time, date, amount or longer number
 * (`2单元 1830年`, `2单元300元`).
 */
const ROOM_END = '(?![\\d:：.．年月日号点时分元块岁%])';

/** `3-2-301`: building, unit, room. The short middle part keeps phone numbers out. */
const TRIPLE = new RegExp(`(?<![\\d-])(\\d{1,3})-(\\d{1,2})-(\\d{3,4})(?![\\d-])`, 'u');
/**
 * Groups: digits, Chinese numerals, letter. With Chinese numerals `一栋楼` / `三座楼` counts
 * buildings (`一栋楼都停电了`) rather than naming one, so a measure word followed by 楼 is skipped.
 */
const BUILDING = new RegExp(
  [
    `${NUM_START}(\\d{1,3})\\s?${BUILDING_MARK}`,
    `${NUM_START}(${CN_NUM})\\s?(?:号楼|号栋|(?:栋|幢|座)(?!楼))`,
    `(?<![A-Za-z])([A-Za-z])\\s?${BUILDING_MARK}`,
  ].join('|'),
  'u',
);
/**
 * `2单元`, `2号单元`; and Beijing's `2门` for a unit, read only right after a building
 * (`7号楼2门`) or before a room (`2门301`), so `3门冰箱` and `防盗门` stay furniture.
 */
const UNIT = new RegExp(
  [
    `${NUM_START}(${NUM})\\s?号?单元`,
    `(?<=${BUILDING_MARK}\\s?)(${NUM})门`,
    `${NUM_START}(\\d{1,2})门(?=\\s?\\d{3,4}${ROOM_END})`,
  ].join('|'),
  'u',
);
/** A room right after a unit, building or floor (`2单元301`, `7号楼301`, `3楼301`). */
const ROOM_AFTER = new RegExp(
  `(?:单元|${NUM}\\s?(?:${BUILDING_MARK}|楼|层|门)|[A-Za-z](?:栋|座|幢))\\s?(\\d{3,4})(?:室|房|号(?![楼栋院]))?${ROOM_END}`,
  'u',
);
/** A room named as such anywhere (`301室`, `1202房间`); a bare 房 is too often rent (`300房租`). */
const ROOM_MARKED = /(?<![\d.:-])(\d{3,4})\s?(?:室|房间)/u;

function numberValue(raw: string): number | null {
  return /^\d+$/u.test(raw) ? Number(raw) : parseChineseNumber(raw);
}

/**
 * Finds the building, unit and room a message mentions: `3-2-301`, `7号楼2单元301`,
 * `7栋2单元301室`, `二单元`, `十二单元`, `301室`, `三号楼`. The first mention of each wins.
 * Phone numbers, times (`18:00`), dates (`11月28日`) and floors (`3楼`) give nothing.
 */
export function parseLocation(text: string): Location {
  const s = toHalfWidth(text);
  const location: Location = {};

  const triple = TRIPLE.exec(s);
  if (triple) {
    const [, building = '', unit = '', room = ''] = triple;
    const unitNo = Number(unit);
    if (unitNo > 0) return { building: String(Number(building)), unit: unitNo, room };
  }

  const building = BUILDING.exec(s);
  if (building) {
    const [, digits, numerals, letter] = building;
    const n = numberValue(digits ?? numerals ?? '');
    if (letter !== undefined) location.building = letter.toUpperCase();
    else if (n !== null && n > 0) location.building = String(n);
  }

  const unit = UNIT.exec(s);
  if (unit) {
    const n = numberValue(unit[1] ?? unit[2] ?? unit[3] ?? '');
    if (n !== null && n > 0) location.unit = n;
  }

  const room = ROOM_AFTER.exec(s) ?? ROOM_MARKED.exec(s);
  if (room?.[1] !== undefined) location.room = room[1];

  return location;
}

/** `7号楼2单元301室`, `2单元301室`, `3号楼2单元`; '' when nothing is known. */
export function formatLocation(location: Location): string {
  let out = '';
  if (location.building)
    out += /^\d+$/u.test(location.building) ? `${location.building}号楼` : `${location.building}栋`;
  if (location.unit !== undefined) out += `${location.unit}单元`;
  if (location.room) out += `${location.room}室`;
  return out;
}
