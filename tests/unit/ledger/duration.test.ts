import { durationToMinutes } from '../../../src/ledger';

describe('durationToMinutes', () => {
  it('converts minutes, hours and days', () => {
    expect(durationToMinutes('30m')).toBe(30);
    expect(durationToMinutes('2h')).toBe(120);
    expect(durationToMinutes('24h')).toBe(1440);
    expect(durationToMinutes('7d')).toBe(10080);
  });

  it.each(['', '2', 'h', '1.5h', '2 h', '2H', '-1d', '1w', '2h30m'])('rejects %j', (text) => {
    expect(() => durationToMinutes(text)).toThrow(RangeError);
  });
});
