import { parseLocation } from '../../../src/intake/parse';
import { Ledger, type BuildingPlace } from '../../../src/ledger/ledger';
import { placeOfPost, routeRequest } from '../../../src/requests/routing';
import { readLedgerFile } from '../../../src/ledger';
import { minimalLedger } from '../ledger/fixtures';

/** minimalLedger's compound, with 7号楼 (units 1 with a head, 2 without) and 8号楼 renamed as given. */
function street(names: { b7?: string; b8?: string } = {}): {
  ledger: Ledger;
  b7: BuildingPlace;
  b8: BuildingPlace;
} {
  const document = minimalLedger();
  const compound = document.compounds[0]!;
  const [b7, b8] = compound.buildings;
  if (names.b7) b7!.name = names.b7;
  if (names.b8) b8!.name = names.b8;
  const ledger = new Ledger(document, 1);
  return { ledger, b7: ledger.placeOfBuilding('jw-b7')!, b8: ledger.placeOfBuilding('jw-b8')! };
}

describe('placeOfPost', () => {
  it.each(['7#楼', '7＃', '7号', '七号楼', '7栋'])(
    'keeps a post about its own building there, unit and all, when the ledger names it %s',
    (name) => {
      const { b7 } = street({ b7: name });
      const place = placeOfPost(b7, parseLocation('7号楼2单元楼道灯不亮'));
      expect(place).toMatchObject({ place: b7, unit: 2, unknownBuilding: undefined, reason: undefined });
    },
  );

  it.each(['8#楼', '8号', '8栋'])('finds the other building of the compound named %s', (name) => {
    const { b7, b8 } = street({ b8: name });
    const place = placeOfPost(b7, parseLocation('8号楼1单元门口路灯坏了'));
    expect(place).toMatchObject({ place: b8, unit: 1, unknownBuilding: undefined });
  });

  it('drops the unit and room of a building the compound does not have', () => {
    const { b7 } = street();
    expect(placeOfPost(b7, parseLocation('9号楼2单元301室门口地面塌了'))).toMatchObject({
      place: b7,
      unit: undefined,
      room: undefined,
      unknownBuilding: '9号楼',
    });
  });
});

describe('routeRequest', () => {
  it('gives a unit the ledger lists to its head, else the building head, else the grid worker', () => {
    const { ledger, b7, b8 } = street();
    const route = (place: BuildingPlace, unit: number | undefined) =>
      routeRequest(ledger, place, unit, { text: '门口地面塌了', urgent: false, category: 'repair' });
    expect(route(b7, 1)).toMatchObject({ assigneeId: 'li.xl', assigneeRole: '1单元单元长' });
    expect(route(b7, 2)).toMatchObject({
      assigneeId: 'wang.jg',
      reasons: ['2单元没有单元长，交楼长 王建国'],
    });
    expect(route(b7, undefined)).toMatchObject({
      assigneeId: 'wang.jg',
      reasons: ['未写单元，交楼长 王建国'],
    });
    expect(route(b8, 1)).toMatchObject({ assigneeId: 'liu.t', assigneeRole: '网格员' });
  });

  it('says when the unit a post names is not in the ledger, rather than that it has no head', () => {
    const { ledger, b7 } = street();
    expect(
      routeRequest(ledger, b7, 9, { text: '门口地面塌了', urgent: false, category: 'repair' }),
    ).toMatchObject({
      assigneeId: 'wang.jg',
      assigneeRole: '楼长',
      reasons: ['台账里7号楼没有9单元，交楼长 王建国'],
    });
  });
});

describe('volunteer teams', () => {
  const read = readLedgerFile('examples/ledger.yaml');
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const ledger = new Ledger(read.ledger, 1);
  const b6 = ledger.placeOfBuilding('jw-b6')!;
  const route = (category: string, text: string) =>
    routeRequest(ledger, b6, undefined, { text, urgent: false, category });

  it.each([
    ['repair', '2单元楼道灯不亮', ['electricians']],
    ['repair', '厨房下水道堵了', ['plumbers']],
    ['repair', '马桶堵住了，电话13912345678', ['plumbers']],
    ['complaint', '楼上养狗太吵', ['mediation']],
    ['complaint', '楼道堆物太多', ['corridor-cleanup']],
    ['help', '家里跳闸了', ['electricians']],
    ['parking', '充电桩坏了', ['electricians']],
  ])('brings a team in for %s 「%s」', (category, text, teams) => {
    expect(route(category, text).teamIds).toEqual(teams);
  });

  it.each([
    ['complaint', '消防通道被电动车堵了'],
    ['complaint', '电瓶车堵在楼道口'],
    ['complaint', '门口被汽车堵了，出不去'],
    ['help', '电梯停了，电话打不通'],
    ['repair', '电视没信号'],
  ])('brings none in for %s 「%s」, whose words only contain a keyword', (category, text) => {
    expect(route(category, text).teamIds).toEqual([]);
  });

  it.each([
    ['question', '楼道灯坏了找谁修'],
    ['suggestion', '楼道灯换成声控的'],
    ['council', '楼道堆物怎么清理'],
  ])('brings none in for %s 「%s」, and says why in the event log', (category, text) => {
    const routing = route(category, text);
    expect(routing.teamIds).toEqual([]);
    expect(routing.alsoNotify).toEqual([]);
    expect(routing.reasons.at(-1)).toMatch(/类不请志愿队/u);
  });
});
