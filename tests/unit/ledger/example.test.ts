import { join } from 'node:path';
import { readLedgerFile, type LedgerDocument } from '../../../src/ledger';

const EXAMPLE = join(__dirname, '../../../examples/ledger.yaml');

describe('examples/ledger.yaml', () => {
  const result = readLedgerFile(EXAMPLE);

  it('is a valid ledger', () => {
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('shows what a real street holds', () => {
    if (!result.ok) throw new Error('example invalid');
    const ledger: LedgerDocument = result.ledger;
    const buildings = ledger.compounds.flatMap((compound) => compound.buildings);
    expect(ledger.compounds.length).toBeGreaterThanOrEqual(3);
    expect(buildings.length).toBeGreaterThanOrEqual(12);
    expect(new Set(buildings.map((building) => building.path))).toEqual(
      new Set(['self_governing', 'street_backed']),
    );
    expect(ledger.teams.length).toBeGreaterThanOrEqual(2);
    expect(ledger.leadership.members.length).toBeGreaterThan(0);
    // Gaps that happen in practice: units without a head, buildings without a group yet.
    const units = buildings.flatMap((building) => building.units ?? []);
    expect(units.some((unit) => unit.head === undefined)).toBe(true);
    expect(units.some((unit) => unit.head !== undefined)).toBe(true);
    expect(buildings.some((building) => building.chat_id === undefined)).toBe(true);
    for (const person of ledger.people) expect(person.phone ?? '13800000000').toMatch(/^138000000\d\d$/);
  });
});
