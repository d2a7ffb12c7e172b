import { Ledger, type LedgerHistory } from '../../../src/ledger/ledger';
import { minimalLedger } from './fixtures';

/** 江湾小区 (jiangwan) has 7号楼 and 8号楼; earlier versions also had 6号楼 and 翠苑's 1号楼. */
const history: LedgerHistory = {
  people: new Map(),
  buildings: new Map([
    ['jw-b6', { compoundId: 'jiangwan', compoundName: '江湾新村', name: '6号楼' }],
    ['cy-b1', { compoundId: 'cuiyuan', compoundName: '翠苑小区', name: '1号楼' }],
  ]),
};
const ledger = new Ledger(minimalLedger(), 2, history);

it('names a building of the ledger as the ledger does', () => {
  expect(ledger.buildingNames('jw-b7')).toEqual({ compound: '江湾小区', building: '7号楼' });
});

it('names a removed building as it was last named, in its compound as the ledger now names it', () => {
  // 江湾新村 was renamed 江湾小区 after 6号楼 left: its requests sit with the compound's others.
  expect(ledger.buildingNames('jw-b6')).toEqual({ compound: '江湾小区', building: '6号楼' });
  // 翠苑小区 left the ledger with its building.
  expect(ledger.buildingNames('cy-b1')).toEqual({ compound: '翠苑小区', building: '1号楼' });
});

it('names no building the ledger never named, nor a request without one', () => {
  expect(ledger.buildingNames('nowhere')).toBeUndefined();
  expect(ledger.buildingNames(null)).toBeUndefined();
  expect(ledger.placeOfBuilding('jw-b6')).toBeUndefined();
});
