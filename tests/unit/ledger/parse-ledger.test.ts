import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerFormatOf, parseLedger, readLedgerFile, validateLedger } from '../../../src/ledger';
import { looseLedger, minimalLedger, problemsOf } from './fixtures';

describe('parseLedger', () => {
  it('accepts the minimal ledger as YAML and as JSON', () => {
    expect(problemsOf(minimalLedger(), 'yaml')).toEqual([]);
    expect(problemsOf(minimalLedger(), 'json')).toEqual([]);
    const result = parseLedger(JSON.stringify(minimalLedger()), 'json');
    expect(result).toEqual({ ok: true, ledger: minimalLedger() });
  });

  it('accepts a file saved with a byte order mark', () => {
    expect(parseLedger(`\uFEFF${JSON.stringify(minimalLedger())}`, 'json').ok).toBe(true);
  });

  describe('references', () => {
    it('reports an unknown person at each place that names one', () => {
      const ledger = looseLedger();
      ledger.street.admins[1] = 'nobody.a';
      ledger.compounds[0].grid_workers = ['nobody.b'];
      ledger.compounds[0].buildings[0].head = 'nobody.c';
      ledger.compounds[0].buildings[0].units[1].head = 'nobody.d';
      ledger.teams[0].members[1] = 'nobody.e';
      ledger.leadership.members = ['nobody.f'];
      expect(problemsOf(ledger)).toEqual([
        'street.admins[1]: unknown person "nobody.a"',
        'compounds[0].grid_workers[0]: unknown person "nobody.b"',
        'compounds[0].buildings[0].head: unknown person "nobody.c"',
        'compounds[0].buildings[0].units[1].head: unknown person "nobody.d"',
        'teams[0].members[1]: unknown person "nobody.e"',
        'leadership.members[0]: unknown person "nobody.f"',
      ]);
    });

    it('reports an unknown compound in a team and an unknown category in a clock', () => {
      const ledger = looseLedger();
      ledger.teams[0].compounds = ['jiangwan', 'xinshi'];
      ledger.response_clocks = [{ category: 'parking', resolve: '2d' }];
      expect(problemsOf(ledger)).toEqual([
        'teams[0].compounds[1]: unknown compound "xinshi"',
        'response_clocks[0].category: unknown category "parking" ' +
          '(known: repair, help, complaint, suggestion, question, council)',
      ]);
    });

    it('reports a tag word claimed by two categories, and words intake cannot cut out', () => {
      const ledger = looseLedger();
      ledger.categories = [
        { code: 'repair', name: '报修', synonyms: ['维修'] },
        { code: 'parking', name: '停车', synonyms: ['维修', '投诉', '车 位', '#车位'] },
        { code: 'help', name: '求助', synonyms: [''] },
      ];
      expect(problemsOf(ledger)).toEqual([
        'categories[1].synonyms[0]: tag word "维修" already names category "repair"',
        'categories[1].synonyms[1]: tag word "投诉" already names category "complaint"',
        'categories[1].synonyms[2]: a tag word cannot contain spaces, #, brackets, colons or @',
        'categories[1].synonyms[3]: a tag word cannot contain spaces, #, brackets, colons or @',
        'categories[2].synonyms[0]: must not be empty',
      ]);
    });

    it('lets a ledger rename a default category', () => {
      const ledger = looseLedger();
      ledger.categories = [{ code: 'repair', name: '维修', synonyms: ['报修', '坏了'] }];
      expect(problemsOf(ledger)).toEqual([]);
    });

    it('knows the categories the ledger adds', () => {
      const ledger = looseLedger();
      ledger.categories = [{ code: 'parking', name: '停车', synonyms: ['车位'] }];
      ledger.response_clocks = [{ category: 'parking', resolve: '2d' }];
      expect(problemsOf(ledger)).toEqual([]);
    });
  });

  describe('uniqueness', () => {
    it('reports duplicate ids of people, compounds, buildings (street-wide) and teams', () => {
      const ledger = looseLedger();
      ledger.people[6] = { id: 'wang.jg', name: '王建国' };
      const second = structuredClone(ledger.compounds[0]);
      second.buildings = [{ id: 'jw-b8', name: '8号楼', path: 'street_backed' }];
      ledger.compounds[1] = second;
      ledger.teams[1] = { ...ledger.teams[0] };
      expect(problemsOf(ledger)).toEqual([
        'people[6].id: duplicate person id "wang.jg" (first at people[2].id)',
        'compounds[1].id: duplicate compound id "jiangwan" (first at compounds[0].id)',
        'compounds[1].buildings[0].id: duplicate building id "jw-b8" (first at compounds[0].buildings[1].id)',
        'teams[1].id: duplicate team id "electricians" (first at teams[0].id)',
      ]);
    });

    it('reports a chat id or webhook key shared by two groups, including the leadership', () => {
      const ledger = looseLedger();
      ledger.compounds[0].buildings[1].chat_id = 'wrkB7FAKE07';
      ledger.leadership.chat_id = 'wrkB7FAKE07';
      ledger.leadership.webhook_key = '0000fake-0000-4000-8000-000000000007';
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].buildings[1].chat_id: duplicate chat id "wrkB7FAKE07" (first at compounds[0].buildings[0].chat_id)',
        'leadership.chat_id: duplicate chat id "wrkB7FAKE07" (first at compounds[0].buildings[0].chat_id)',
        'leadership.webhook_key: duplicate webhook key "0000fake-0000-4000-8000-000000000007" ' +
          '(first at compounds[0].buildings[0].webhook_key)',
      ]);
    });

    it('reports a unit number used twice in one building, but allows it in another', () => {
      const ledger = looseLedger();
      ledger.compounds[0].buildings[0].units[2] = { no: 1 };
      ledger.compounds[0].buildings[1].units = [{ no: 1 }, { no: 2 }];
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].buildings[0].units[2].no: duplicate unit number 1 (first at compounds[0].buildings[0].units[0].no)',
      ]);
    });

    it('reports two buildings of one compound that a post would name the same way', () => {
      const ledger = looseLedger();
      // A post naming 8号楼 (or 八号楼, 8栋) could mean either: it would go to the first, silently.
      ledger.compounds[0].buildings[2] = { id: 'jw-b8b', name: '8栋', path: 'self_governing' };
      ledger.compounds[0].buildings[3] = { id: 'jw-b7b', name: '7号楼', path: 'self_governing' };
      ledger.compounds[0].buildings[4] = { id: 'jw-b8c', name: '8#', path: 'self_governing' };
      // Lettered blocks a post cannot tell apart anyway are not refused.
      ledger.compounds[0].buildings[5] = { id: 'jw-a1', name: 'A1栋', path: 'self_governing' };
      ledger.compounds[0].buildings[6] = { id: 'jw-b1', name: 'B1栋', path: 'self_governing' };
      // The same name in another compound is another building: posts are read within their compound.
      ledger.compounds[1] = {
        id: 'xinshi',
        name: '新市小区',
        grid_workers: ['liu.t'],
        buildings: [{ id: 'xs-b7', name: '7号楼', path: 'self_governing' }],
      };
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].buildings[2].name: "8栋" names the same building as "8号楼" ' +
          '(compounds[0].buildings[1].name): a post naming it could not tell them apart',
        'compounds[0].buildings[3].name: "7号楼" names the same building as "7号楼" ' +
          '(compounds[0].buildings[0].name): a post naming it could not tell them apart',
        'compounds[0].buildings[4].name: "8#" names the same building as "8号楼" ' +
          '(compounds[0].buildings[1].name): a post naming it could not tell them apart',
      ]);
    });

    it.each([
      ['1号楼', '1号楼（东）'],
      ['一期1号楼', '二期1号楼'],
      ['1号院1号楼', '2号院1号楼'],
      ['东区1栋', '西区1栋'],
      ['3号楼A座', '3号楼B座'],
    ])('accepts %s and %s in one compound, which say more than the number', (first, second) => {
      // Estates in phases, courtyards or halves number their buildings from 1 again: a post cannot
      // tell those apart by number alone, but refusing the ledger would leave them with no desk
      // (and, with MULIN_LEDGER, stop the service from starting).
      const ledger = looseLedger();
      ledger.compounds[0].buildings[2] = { id: 'jw-x1', name: first, path: 'self_governing' };
      ledger.compounds[0].buildings[3] = { id: 'jw-x2', name: second, path: 'self_governing' };
      expect(problemsOf(ledger)).toEqual([]);
    });

    it('reports person ids that differ only in upper and lower case, as WeCom treats them as one', () => {
      const ledger = looseLedger();
      ledger.people[6] = { id: 'Wang.JG', name: '王建国' };
      expect(problemsOf(ledger)).toEqual([
        'people[6].id: duplicate person id "Wang.JG" (first at people[2].id, as "wang.jg": WeCom userids ignore case)',
      ]);
    });

    it('reports a person listed twice in one list', () => {
      const ledger = looseLedger();
      ledger.compounds[0].grid_workers = ['liu.t', 'liu.t'];
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].grid_workers[1]: duplicate person "liu.t" (first at compounds[0].grid_workers[0])',
      ]);
    });
  });

  describe('field values', () => {
    it('reports unit numbers that are not positive whole numbers', () => {
      const ledger = looseLedger();
      ledger.compounds[0].buildings[0].units = [{ no: 0 }, { no: 1.5 }, { no: '3' }];
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].buildings[0].units[0].no: expected a unit number (a whole number from 1)',
        'compounds[0].buildings[0].units[1].no: expected a unit number (a whole number from 1)',
        'compounds[0].buildings[0].units[2].no: expected a unit number (a whole number from 1)',
      ]);
    });

    it('lists the two governance paths when path is wrong', () => {
      const ledger = looseLedger();
      ledger.compounds[0].buildings[1].path = 'self-governing';
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].buildings[1].path: expected self_governing (自治提升型) or street_backed (兜底保障型)',
      ]);
    });

    it('checks phone numbers, and explains an unquoted one', () => {
      const ledger = looseLedger();
      ledger.people[0].phone = '1380000001';
      ledger.people[2].phone = '23800000001';
      ledger.people[3].phone = 13800000001;
      expect(problemsOf(ledger)).toEqual([
        'people[0].phone: expected an 11-digit mobile number starting with 1',
        'people[2].phone: expected an 11-digit mobile number starting with 1',
        'people[3].phone: expected the number in quotes, e.g. "13800000001"',
      ]);
    });

    it('keeps phone numbers out of names, which are shown in the groups and pages', () => {
      const ledger = looseLedger();
      ledger.people[2].name = '王建国 138 0000 0026';
      ledger.compounds[0].name = '江湾小区（物业 021-65432100）';
      ledger.compounds[0].buildings[1].name = '8号楼 13800000027';
      ledger.teams[0].name = '电工志愿队 65432100';
      ledger.leadership.name = '街道领导群';
      expect(problemsOf(ledger)).toEqual([
        'people[2].name: a phone number in a name would be shown in the groups; staff numbers belong in people[].phone',
        'compounds[0].name: a phone number in a name would be shown in the groups; staff numbers belong in people[].phone',
        'compounds[0].buildings[1].name: a phone number in a name would be shown in the groups; staff numbers belong in people[].phone',
        'teams[0].name: a phone number in a name would be shown in the groups; staff numbers belong in people[].phone',
      ]);
    });

    it('rejects empty keywords', () => {
      const ledger = looseLedger();
      ledger.teams[0].keywords = ['灯', '', '  '];
      expect(problemsOf(ledger)).toEqual([
        'teams[0].keywords[1]: must not be empty',
        'teams[0].keywords[2]: must not be empty',
      ]);
    });

    it('checks durations and the rules of a response clock', () => {
      const ledger = looseLedger();
      ledger.response_clocks = [
        { priority: 'urgent', acknowledge: '30 min', resolve: '2H' },
        { acknowledge: '0h', resolve: '1d' },
        { priority: 'asap', category: 'repair' },
        { acknowledge: '2d', resolve: '24h' },
      ];
      expect(problemsOf(ledger)).toEqual([
        'response_clocks[0].acknowledge: expected a duration such as 30m, 2h or 7d',
        'response_clocks[0].resolve: expected a duration such as 30m, 2h or 7d',
        'response_clocks[1].acknowledge: expected a duration longer than zero',
        'response_clocks[2]: a response clock needs acknowledge, resolve or both',
        'response_clocks[2].priority: expected one of urgent, normal',
        'response_clocks[3].acknowledge: acknowledge (2d) is longer than resolve (24h)',
      ]);
    });

    it('wants just the webhook key, not the URL', () => {
      const ledger = looseLedger();
      ledger.leadership.webhook_key = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0000fake-0000';
      expect(problemsOf(ledger)).toEqual([
        'leadership.webhook_key: expected just the key, not the webhook URL (keep only what follows "key=")',
      ]);
    });

    it('says what type it expected and what it got, and which keys are missing', () => {
      const ledger = looseLedger();
      ledger.compounds[0].buildings[0].elevator = 'yes';
      ledger.compounds[0].buildings[0].head = null;
      ledger.teams[0].keywords = '灯';
      delete ledger.compounds[0].name;
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].name: missing required key',
        'compounds[0].buildings[0].head: expected text, got an empty value',
        'compounds[0].buildings[0].elevator: expected true or false, got the text "yes"',
        'teams[0].keywords: expected a list, got the text "灯"',
      ]);
    });

    it('says a missing governance path is missing, like any other required key', () => {
      const ledger = looseLedger();
      delete ledger.compounds[0].buildings[1].path;
      expect(problemsOf(ledger)).toEqual(['compounds[0].buildings[1].path: missing required key']);
    });

    it('needs a grid worker in every compound', () => {
      const ledger = looseLedger();
      ledger.compounds[0].grid_workers = [];
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].grid_workers: a compound needs at least one grid worker',
      ]);
    });
  });

  describe('unknown keys', () => {
    it('reports each unknown key at its own path, suggesting the likely one', () => {
      const ledger = looseLedger();
      ledger.compounds[0].grid_worker = ledger.compounds[0].grid_workers;
      delete ledger.compounds[0].grid_workers;
      ledger.compounds[0].buildings[0].units[0].haed = 'li.xl';
      ledger.compounds[0].buildings[0].楼长 = 'wang.jg';
      ledger.safety_lines = { gas: '96777', lift: '96333' };
      expect(problemsOf(ledger)).toEqual([
        'compounds[0].grid_workers: missing required key',
        'compounds[0].buildings[0].units[0].haed: unknown key (did you mean "head"?)',
        'compounds[0].buildings[0].楼长: unknown key (expected one of id, name, path, chat_id, webhook_key, ' +
          'head, households, elevator, units, profile)',
        'compounds[0].grid_worker: unknown key (did you mean "grid_workers"?)',
        'safety_lines.lift: unknown key (expected one of gas, fire, electric, elevator, water, medical)',
      ]);
    });

    it('reports unknown keys at the top level', () => {
      const ledger = looseLedger();
      ledger.team = [];
      expect(problemsOf(ledger)).toEqual(['team: unknown key (did you mean "teams"?)']);
    });
  });

  it('reports every problem at once, schema and references alike', () => {
    const yaml = `
street: { id: jiangwan-jd, name: 江湾街道, admins: [zhou.m] }
people:
  - { id: zhou.m, name: 周敏, phone: 1380000 }
  - { id: liu.t, name: 刘婷 }
compounds:
  - id: jiangwan
    name: 江湾小区
    grid_worker: [liu.t]
    buildings:
      - { id: b7, name: 7号楼, path: self_governing, chat_id: wrkB7X, head: wang.jg, units: [{ no: 1 }, { no: 1 }] }
      - { id: b7, name: 7号楼, path: 自治, chat_id: wrkB7X }
teams: [{ id: electricians, name: 电工志愿队, members: [ma.sf], keywords: [灯] }]
leadership: { chat_id: wrkLead, members: [song.t] }
response_clocks: [{ resolve: 2 hours }]
`;
    const result = parseLedger(yaml, 'yaml');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      'people[0].phone: expected the number in quotes, e.g. "13800000001"',
      'compounds[0].grid_workers: missing required key',
      'compounds[0].buildings[0].head: unknown person "wang.jg"',
      'compounds[0].buildings[0].units[1].no: duplicate unit number 1 (first at compounds[0].buildings[0].units[0].no)',
      'compounds[0].buildings[1].id: duplicate building id "b7" (first at compounds[0].buildings[0].id)',
      'compounds[0].buildings[1].name: "7号楼" names the same building as "7号楼" ' +
        '(compounds[0].buildings[0].name): a post naming it could not tell them apart',
      'compounds[0].buildings[1].path: expected self_governing (自治提升型) or street_backed (兜底保障型)',
      'compounds[0].buildings[1].chat_id: duplicate chat id "wrkB7X" (first at compounds[0].buildings[0].chat_id)',
      'compounds[0].grid_worker: unknown key (did you mean "grid_workers"?)',
      'teams[0].members[0]: unknown person "ma.sf"',
      'leadership.members[0]: unknown person "song.t"',
      'response_clocks[0].resolve: expected a duration such as 30m, 2h or 7d',
    ]);
  });

  describe('syntax', () => {
    it('gives the line of a YAML syntax error', () => {
      const result = parseLedger('street: { id: a, name: b\npeople: []\n', 'yaml');
      expect(result.ok).toBe(false);
      expect(!result.ok && result.problems[0]).toMatch(/^line \d+, column \d+: /);
    });

    it('reports a key written twice in YAML with its line', () => {
      const result = parseLedger('people: []\nteams: []\npeople: []\n', 'yaml');
      expect(result).toEqual({ ok: false, problems: ['line 3, column 1: Map keys must be unique'] });
    });

    it('gives the line and column of a JSON syntax error', () => {
      const result = parseLedger('{\n  "people": [],\n  "teams": [],\n}', 'json');
      expect(result.ok).toBe(false);
      expect(!result.ok && result.problems).toEqual([expect.stringMatching(/^line 4, column 1: /)]);
    });

    it('reports an empty document', () => {
      expect(parseLedger('# nothing yet\n', 'yaml')).toEqual({
        ok: false,
        problems: ['(root): the ledger is empty'],
      });
      expect(parseLedger('[]', 'json')).toEqual({
        ok: false,
        problems: ['(root): expected a mapping (key: value), got a list'],
      });
    });
  });
});

describe('validateLedger', () => {
  it('checks an in-memory document the same way', () => {
    const ledger = looseLedger();
    ledger.compounds[0].buildings[0].head = 'li.x';
    expect(validateLedger(ledger)).toEqual({
      ok: false,
      problems: ['compounds[0].buildings[0].head: unknown person "li.x"'],
    });
    expect(validateLedger(minimalLedger())).toEqual({ ok: true, ledger: minimalLedger() });
  });
});

describe('readLedgerFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mulin-ledger-'));

  it('picks the format from the extension', () => {
    expect(ledgerFormatOf('a/ledger.yaml')).toBe('yaml');
    expect(ledgerFormatOf('ledger.YML')).toBe('yaml');
    expect(ledgerFormatOf('ledger.json')).toBe('json');
    expect(ledgerFormatOf('ledger.txt')).toBeUndefined();

    const json = join(dir, 'ledger.json');
    writeFileSync(json, JSON.stringify(minimalLedger()));
    expect(readLedgerFile(json)).toEqual({ ok: true, ledger: minimalLedger() });
  });

  it('reports a missing file or an unknown extension as a problem', () => {
    const missing = join(dir, 'missing.yaml');
    expect(readLedgerFile(missing)).toEqual({
      ok: false,
      problems: [`${missing}: cannot read the file (ENOENT)`],
    });
    expect(readLedgerFile('ledger.txt')).toEqual({
      ok: false,
      problems: ['ledger.txt: expected a .yaml, .yml or .json file'],
    });
  });
});
