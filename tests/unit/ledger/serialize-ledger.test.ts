import { join } from 'node:path';
import { parseLedger, readLedgerFile, serializeLedger, type LedgerDocument } from '../../../src/ledger';
import { minimalLedger } from './fixtures';

const EXAMPLE = join(__dirname, '../../../examples/ledger.yaml');

function example(): LedgerDocument {
  const result = readLedgerFile(EXAMPLE);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.ledger;
}

describe('serializeLedger', () => {
  it.each(['yaml', 'json'] as const)('round-trips the example through %s', (format) => {
    const ledger = example();
    const text = serializeLedger(ledger, format);
    expect(parseLedger(text, format)).toEqual({ ok: true, ledger });
  });

  it.each(['yaml', 'json'] as const)(
    'round-trips a ledger with only the required keys through %s',
    (format) => {
      const ledger = minimalLedger();
      expect(parseLedger(serializeLedger(ledger, format), format)).toEqual({ ok: true, ledger });
    },
  );

  it('writes keys in the order of the format, whatever order the object has', () => {
    const ledger = minimalLedger();
    const shuffled = {
      leadership: { members: ledger.leadership.members, chat_id: ledger.leadership.chat_id },
      teams: ledger.teams,
      compounds: ledger.compounds,
      people: ledger.people.map(({ phone, name, id }) => ({ ...(phone ? { phone } : {}), name, id })),
      street: { admins: ledger.street.admins, name: ledger.street.name, id: ledger.street.id },
    } as LedgerDocument;
    const yaml = serializeLedger(shuffled, 'yaml');
    const topKeys = yaml
      .split('\n')
      .filter((line) => /^\w+:/.test(line))
      .map((line) => line.split(':')[0]);
    expect(topKeys).toEqual(['street', 'people', 'compounds', 'teams', 'leadership']);
    expect(yaml).toContain('street: { id: jiangwan-jd, name: 江湾街道, admins: [ zhou.m ] }');
    expect(yaml).toContain("- { id: liu.t, name: 刘婷, phone: '13800000011' }");
    expect(yaml).toContain('leadership: { chat_id: wrkLeadFAKE, members: [ song.t ] }');
    expect(Object.keys(JSON.parse(serializeLedger(shuffled, 'json')) as object)).toEqual(topKeys);
  });

  it('quotes text that would otherwise read back as another type', () => {
    const ledger = minimalLedger();
    ledger.people[0] = { id: 'zhou.m', name: 'true' };
    ledger.teams[0]!.keywords = ['123', 'null', 'no', '#', '灯: 坏了'];
    const result = parseLedger(serializeLedger(ledger, 'yaml'), 'yaml');
    expect(result).toEqual({ ok: true, ledger });
  });

  it('leaves out keys whose value is undefined', () => {
    const ledger = minimalLedger();
    ledger.people[0] = { id: 'zhou.m', name: '周敏', phone: undefined };
    expect(serializeLedger(ledger, 'yaml')).toContain('- { id: zhou.m, name: 周敏 }\n');
    expect(serializeLedger(ledger, 'json')).not.toContain('phone": null');
  });
});
