import {
  buildDigest,
  buildingWeeks,
  renderDigest,
  weekBounds,
  weekExceptions,
  weeklyFigures,
  type IsoWeek,
} from '../../../src/digest';
import { FILL_ENDED_ROUNDS, FILL_REOPENED_AT } from '../../../src/db/migrations/1764301200000-resolve-rounds';
import { Ledger } from '../../../src/ledger/ledger';
import { PageLinks } from '../../../src/requests/page-links';
import { MESSAGE_LIMITS, utf8Length } from '../../../src/wecom/client';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { generateStreet, insertStreet, type SyntheticStreet } from '../../helpers/synthetic-street';
import { expectedBuildingWeeks, expectedExceptions, expectedFigures } from './expected-figures';

/**
 * Every weekly figure, for the street and each compound over three weeks, against the same figure
 * computed from the generated events by expected-figures.ts. The data runs past the end of the
 * last week (into W49), so nothing that happened later may change a week's figures.
 */

const TZ = 'Asia/Shanghai';
const W46: IsoWeek = { year: 2026, week: 46 };
const W47: IsoWeek = { year: 2026, week: 47 };
const W48: IsoWeek = { year: 2026, week: 48 };

let db: TestDatabase;
let street: SyntheticStreet;

beforeAll(async () => {
  db = await openTestDatabase();
  street = generateStreet({
    seed: 20261130,
    requests: 560,
    from: new Date('2026-11-02T00:00:00+08:00'),
    to: new Date('2026-12-01T12:00:00+08:00'),
    asOf: new Date('2026-12-02T09:00:00+08:00'),
  });
  await insertStreet(db.dataSource, street);
});

afterAll(async () => {
  await db.close();
});

it('generates a street of the size the issue asks for, with every kind of story', () => {
  const compounds = street.ledger.compounds;
  const types = new Set(street.requests.flatMap((r) => r.events.map((e) => e.type)));
  expect(compounds.length).toBeGreaterThanOrEqual(5);
  expect(compounds.flatMap((c) => c.buildings).length).toBeGreaterThanOrEqual(30);
  expect(street.requests.length).toBeGreaterThanOrEqual(500);
  expect([...types].sort()).toEqual(
    [
      'acknowledged',
      'closed',
      'council',
      'created',
      'escalated',
      'rated',
      'reopened',
      'resolved',
      'routed',
      'withdrawn',
    ].sort(),
  );
  // The same seed gives the same street.
  const again = generateStreet({
    seed: 20261130,
    requests: 560,
    from: new Date('2026-11-02T00:00:00+08:00'),
    to: new Date('2026-12-01T12:00:00+08:00'),
    asOf: new Date('2026-12-02T09:00:00+08:00'),
  });
  expect(again.requests).toEqual(street.requests);
});

describe.each([W46, W47, W48])('week %o', (week) => {
  const scopes = () => [null, ...street.ledger.compounds.map((c) => c.id)];

  it('has the figures computed independently from the events, for the street and each compound', async () => {
    const { start, end } = weekBounds(week, TZ);
    for (const compoundId of scopes()) {
      const actual = await weeklyFigures(db.dataSource, { weekStart: start, timeZone: TZ, compoundId });
      const expected = expectedFigures(street, start, end, compoundId);
      const context = `${actual.week} ${compoundId ?? 'street'}`;
      expect({ context, ...actual.response }).toMatchObject({ context, ...expected.response });
      expect({ context, ...actual.resolution }).toMatchObject({ context, ...expected.resolution });
      expect({ context, ...actual.satisfaction }).toMatchObject({ context, ...expected.satisfaction });
      expect({ context, received: actual.received, resolved: actual.resolved }).toEqual({
        context,
        received: expected.received,
        resolved: expected.resolved,
      });
      expect(actual.categories).toEqual(expected.categories);
      expect([actual.escalations, actual.escalationsToStreet]).toEqual([
        expected.escalations,
        expected.escalationsToStreet,
      ]);
      for (const key of ['medianAckMinutes', 'medianResolveMinutes'] as const) {
        if (expected[key] === null) expect(actual[key]).toBeNull();
        else expect(actual[key]).toBeCloseTo(expected[key], 6);
      }
      if (actual.response.denominator > 0) {
        expect(actual.response.value).toBeCloseTo(
          actual.response.numerator / actual.response.denominator,
          12,
        );
      }
    }
  });

  it('has the exceptions and building weeks as they stood at the end of the week', async () => {
    const { start, end } = weekBounds(week, TZ);
    const actual = await weekExceptions(db.dataSource, { weekStart: start, timeZone: TZ });
    const expected = expectedExceptions(street, start, end);
    expect(actual.overdue.map((r) => r.no)).toEqual(expected.overdue);
    expect(actual.overdue.filter((r) => r.unacknowledged).map((r) => r.no)).toEqual(expected.unacknowledged);
    expect(actual.reopened.map((r) => r.no)).toEqual(expected.reopened);
    expect(actual.escalations).toMatchObject(expected.escalations);
    expect(actual.streetList.map((r) => r.no)).toEqual(expected.streetList);
    expect(actual.council.map((r) => r.no)).toEqual(expected.council);
    expect(actual.council.filter((c) => c.isNew).map((c) => c.no)).toEqual(expected.newCouncil);

    const buildings = await buildingWeeks(db.dataSource, { weekStart: start, timeZone: TZ });
    const expectedBuildings = expectedBuildingWeeks(street, start, end);
    expect(
      new Map(
        [...buildings].map(([id, b]) => [
          id,
          { received: b.received, resolved: b.resolved, stillOpen: b.stillOpen },
        ]),
      ),
    ).toEqual(expectedBuildings);
  });
});

it('is not a trivial street: the week has misses, ratings of both kinds and escalations', () => {
  const { start, end } = weekBounds(W48, TZ);
  const e = expectedFigures(street, start, end, null);
  expect(e.received).toBeGreaterThan(100);
  expect(e.response.numerator).toBeLessThan(e.response.denominator);
  expect(e.resolution.numerator).toBeLessThan(e.resolution.denominator);
  expect(e.satisfaction.numerator).toBeLessThan(e.satisfaction.denominator);
  expect(e.satisfaction.numerator).toBeGreaterThan(0);
  expect(e.escalations).toBeGreaterThan(0);
  expect(e.escalationsToStreet).toBeGreaterThan(0);
  const x = expectedExceptions(street, start, end);
  expect(x.overdue.length).toBeGreaterThan(0);
  expect(x.reopened.length).toBeGreaterThan(0);
  expect(x.streetList.length).toBeGreaterThan(0);
  expect(x.council.length).toBeGreaterThan(0);
});

it('builds the same digest on several connections at once as inside one transaction', async () => {
  const ledger = new Ledger(street.ledger, 1);
  // Count the statements in flight at once on the DataSource.
  const query = db.dataSource.query.bind(db.dataSource);
  let inFlight = 0;
  let most = 0;
  const spy = jest
    .spyOn(db.dataSource, 'query')
    .mockImplementation(async (sql: string, params?: Parameters<typeof query>[1]) => {
      most = Math.max(most, ++inFlight);
      try {
        return (await query(sql, params)) as unknown;
      } finally {
        inFlight--;
      }
    });
  let parallel;
  try {
    parallel = await buildDigest(db.dataSource, ledger, W48, TZ);
  } finally {
    spy.mockRestore();
  }
  expect(most).toBe(2);
  const inTransaction = await db.dataSource.transaction((tx) => buildDigest(tx, ledger, W48, TZ));
  expect(parallel).toEqual(inTransaction);
  expect(parallel.total.current.received).toBeGreaterThan(0);
  expect(parallel.exceptions.overdue.length).toBeGreaterThan(0);
});

it('renders the W48 digest with those figures, exceptions first, within the byte limit', async () => {
  const ledger = new Ledger(street.ledger, 1);
  const digest = await buildDigest(db.dataSource, ledger, W48, TZ);
  const parts = renderDigest(digest, ledger);
  const text = parts.join('\n');
  for (const part of parts) expect(utf8Length(part)).toBeLessThanOrEqual(4096);
  expect(parts[0]).toMatch(/^# 和平街道周报 2026-W48/);
  expect(text.indexOf('## 需要关注')).toBeLessThan(text.indexOf('## 全街道'));
  expect(text.indexOf('## 全街道')).toBeLessThan(text.indexOf('## 各小区'));

  const { start, end } = weekBounds(W48, TZ);
  const previous = weekBounds(W47, TZ);
  const pct = (r: { numerator: number; denominator: number }) =>
    r.denominator === 0 ? '—' : `${Math.round((r.numerator / r.denominator) * 100)}%`;
  const total = expectedFigures(street, start, end, null);
  const before = expectedFigures(street, previous.start, previous.end, null);
  expect(text).toContain(`收到 **${total.received}** 件（上周 ${before.received}，`);
  expect(text).toContain(`），办结 ${total.resolved} 件（上周 ${before.resolved}）`);
  expect(text).toContain(
    `按时接单率 **${pct(total.response)}**（${total.response.numerator}/${total.response.denominator}，上周 ${pct(before.response)}）`,
  );
  expect(text).toContain(
    `按时办结率 **${pct(total.resolution)}**（${total.resolution.numerator}/${total.resolution.denominator}，上周 ${pct(before.resolution)}）`,
  );
  expect(text).toContain(
    `满意率 **${pct(total.satisfaction)}**（${total.satisfaction.numerator}/${total.satisfaction.denominator}，上周 ${pct(before.satisfaction)}）`,
  );
  for (const compound of street.ledger.compounds) {
    const c = expectedFigures(street, start, end, compound.id);
    const p = expectedFigures(street, previous.start, previous.end, compound.id);
    expect(text).toMatch(
      new RegExp(
        `\\*\\*${compound.name}\\*\\* 收到 ${c.received} 件（上周 ${p.received}，[^）]+），办结 ${c.resolved} 件`,
      ),
    );
    expect(text).toContain(
      `> 按时接单 ${pct(c.response)}（${c.response.numerator}/${c.response.denominator}），上周 ${pct(p.response)}`,
    );
    expect(text).toContain(
      `> 满意 ${c.satisfaction.denominator === 0 ? '—（无评价）' : `${pct(c.satisfaction)}（${c.satisfaction.numerator}/${c.satisfaction.denominator}）`}`,
    );
  }
  const exceptions = expectedExceptions(street, start, end);
  expect(text).toContain(
    `**超时未办** <font color="warning">${exceptions.overdue.length}</font> 件（其中未接单 ${exceptions.unacknowledged.length} 件）`,
  );
  expect(text).toContain(`**不满意、重新打开** ${exceptions.reopened.length} 件`);
  expect(text).toContain(
    `**上报** ${exceptions.escalations.total} 次（网格员 ${exceptions.escalations.total - exceptions.escalations.toStreet}，街道 ${exceptions.escalations.toStreet}）；街道督办 ${exceptions.streetList.length} 件`,
  );
  expect(text).toContain(
    `**居民议事会议题** ${exceptions.council.length} 件（本周新增 ${exceptions.newCouncil.length} 件）`,
  );
  // The building with a group that never reports, and the groupless ones, are on the quiet list.
  expect(text).toMatch(/本周无诉求的楼栋：1号楼、.*5号楼（未建群）/);
});

it.each([
  ['the leadership group’s robot', MESSAGE_LIMITS.webhookMarkdown],
  ['the self-built app, to each leader', MESSAGE_LIMITS.appMarkdown],
])('links each request listed in the digest to its page, within %s’s byte limit', async (_, maxBytes) => {
  const ledger = new Ledger(street.ledger, 1);
  const digest = await buildDigest(db.dataSource, ledger, W48, TZ);
  // A long address: links cost bytes, and the parts must still fit.
  const origin = `https://${'mulin-jiedao-'.repeat(6)}example.gov.cn`;
  const plain = renderDigest(digest, ledger, maxBytes);
  const linked = renderDigest(digest, ledger, maxBytes, new PageLinks(origin));
  expect(linked.length).toBeGreaterThan(1);
  for (const part of linked) expect(utf8Length(part)).toBeLessThanOrEqual(maxBytes);

  // Every request number in the lists is a whole link to that request's page, and the links
  // are all that was added: read without them, the digest says what it said before, and ends
  // with the weekly figures.
  const body = (parts: string[]) => parts.map((p) => p.replace(/^# .*\n\n/, '')).join('\n\n');
  const text = body(linked);
  const links = [...text.matchAll(/\[#(\d+)\]\(([^)]*)\)/g)];
  expect(links.length).toBeGreaterThan(10);
  for (const [, no, url] of links) expect(url).toBe(`${origin}/admin/requests/${no}`);
  const figuresLink = `[在街道工作台查看周报数据](${origin}/admin/figures)`;
  expect(linked[linked.length - 1]?.endsWith(`\n\n${figuresLink}`)).toBe(true);
  const unlinked = text.replace(/\[#(\d+)\]\([^)]*\)/g, '#$1').replace(`\n\n${figuresLink}`, '');
  expect(unlinked).toBe(body(plain));
  expect(text).not.toMatch(/#\d+(?!\]\()(?=[ ）])/u);
});

it('fills in the rounds of reopenings made before migration 1764301200000 as 不满意 keeps them now', async () => {
  const read = async () => ({
    rounds: await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT request_id, round, due_at, resolved_at, reopened_at FROM request_resolve_round
       ORDER BY request_id, round`,
    ),
    reopened: await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT id, reopened_at FROM request WHERE reopened_at IS NOT NULL ORDER BY id`,
    ),
  });
  const kept = await read();
  expect(kept.rounds.length).toBeGreaterThan(0);
  await db.dataSource.query(`DELETE FROM request_resolve_round`);
  await db.dataSource.query(`UPDATE request SET reopened_at = NULL`);
  await db.dataSource.query(FILL_REOPENED_AT);
  await db.dataSource.query(FILL_ENDED_ROUNDS);
  expect(await read()).toEqual(kept);
});
