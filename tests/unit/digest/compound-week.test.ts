import { compoundWeek, rate, type WeeklyFigures } from '../../../src/digest/weekly-figures';

const START = new Date('2026-11-22T16:00:00Z');
const END = new Date('2026-11-29T16:00:00Z');

const street: WeeklyFigures = {
  week: '2026-W48',
  start: START,
  end: END,
  compoundId: null,
  received: 12,
  resolved: 9,
  response: rate(8, 10),
  resolution: rate(6, 9),
  satisfaction: rate(3, 4),
  medianAckMinutes: 42,
  medianResolveMinutes: 600,
  categories: [{ category: 'repair', count: 7 }],
  escalations: 2,
  escalationsToStreet: 1,
};

describe("a compound's week out of every compound's figures", () => {
  it('is the compound found there', () => {
    const jiangwan = { ...street, compoundId: 'jiangwan', received: 5 };
    const all = new Map<string | null, WeeklyFigures>([
      [null, street],
      ['jiangwan', jiangwan],
    ]);
    expect(compoundWeek(all, 'jiangwan', START)).toBe(jiangwan);
    expect(compoundWeek(all, null, START)).toBe(street);
  });

  it("is every count zero and no rate for a compound with nothing in the week, in the street's week", () => {
    const quiet = compoundWeek(new Map([[null, street]]), 'changzhong-3c', START);
    expect(quiet).toEqual({
      week: '2026-W48',
      start: START,
      end: END,
      compoundId: 'changzhong-3c',
      received: 0,
      resolved: 0,
      response: { numerator: 0, denominator: 0, value: null },
      resolution: { numerator: 0, denominator: 0, value: null },
      satisfaction: { numerator: 0, denominator: 0, value: null },
      medianAckMinutes: null,
      medianResolveMinutes: null,
      categories: [],
      escalations: 0,
      escalationsToStreet: 0,
    });
  });
});
