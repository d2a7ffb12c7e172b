import { digestCommand, remindCommand, type CliSettings } from '../../../src/scheduler';
import { importLedger } from '../../../src/ledger/ledger-store';
import { fixedClock } from '../../../src/shared/clock';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { generateStreet, insertStreet, type SyntheticStreet } from '../../helpers/synthetic-street';
import { at, outbox, TZ } from './scheduler-fixtures';

/** `mulin digest` and `mulin remind`, as the CLI calls them, on a synthetic street. */

let db: TestDatabase;
const clock = fixedClock(at('12-01 10:00'));

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db.close();
});

function capture(): CliSettings & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    timeZone: TZ,
    quietHours: { start: 21 * 60, end: 8 * 60 },
    privateNotices: false,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    out,
    err,
  };
}

it('says what to do when no ledger has been imported', async () => {
  const io = capture();
  expect(await digestCommand(db.dataSource, clock, [], io)).toBe(1);
  expect(io.err.join('')).toContain('mulin ledger import FILE');
  expect(await remindCommand(db.dataSource, clock, [], io)).toBe(1);
});

describe('on a street', () => {
  let street: SyntheticStreet;

  beforeAll(async () => {
    street = generateStreet({
      seed: 5,
      requests: 300,
      from: at('11-09 00:00'),
      to: at('11-30 20:00'),
      asOf: at('11-30 20:00'),
    });
    await insertStreet(db.dataSource, street);
  });

  it('prints any week, the last full one by default, without sending it', async () => {
    const io = capture();
    expect(await digestCommand(db.dataSource, clock, ['--week', '2026-W47'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/^# 和平街道周报 2026-W47/);
    const byDefault = capture();
    expect(await digestCommand(db.dataSource, clock, [], byDefault)).toBe(0);
    expect(byDefault.out.join('')).toMatch(/^# 和平街道周报 2026-W48/);
    expect(await outbox(db.dataSource)).toEqual([]);
  });

  it('does not queue it in quiet hours, where it would hold up what else the group is sent', async () => {
    const io = capture();
    const night = fixedClock(at('12-01 23:00'));
    expect(await digestCommand(db.dataSource, night, ['--week', '2026-W47', '--send'], io)).toBe(1);
    expect(io.out.join('')).toMatch(/^# 和平街道周报 2026-W47/);
    expect(io.err.join('')).toBe(
      'Not sent: it is quiet hours (21:00–08:00); run this again when they end.\n',
    );
    expect(await outbox(db.dataSource)).toEqual([]);
  });

  it('queues it with --send, once', async () => {
    const io = capture();
    expect(await digestCommand(db.dataSource, clock, ['--week', '2026-W48', '--send'], io)).toBe(0);
    expect(io.out.join('')).toMatch(
      /Queued the 2026-W48 digest \(\d of \d part\(s\)\) to the leadership\.\n$/,
    );
    const queued = await outbox(db.dataSource, ['digest']);
    expect(queued.length).toBeGreaterThan(0);
    const again = capture();
    expect(await digestCommand(db.dataSource, clock, ['--week', '2026-W48', '--send'], again)).toBe(0);
    expect(again.out.join('')).toContain('The 2026-W48 digest was queued before; nothing new was queued.');
    expect(await outbox(db.dataSource, ['digest'])).toHaveLength(queued.length);
  });

  it('prints a week that has not ended but refuses to send it, which would stand in for the real digest', async () => {
    // Clock 2026-12-01 10:00, a Tuesday of 2026-W49.
    const queuedBefore = await outbox(db.dataSource, ['digest']);
    for (const week of ['2026-W49', '2026-W50', '2027-W10']) {
      const io = capture();
      expect(await digestCommand(db.dataSource, clock, ['--week', week, '--send'], io)).toBe(2);
      expect(io.out).toEqual([]);
      expect(io.err.join('')).toMatch(
        new RegExp(
          `^mulin digest: ${week} has not ended \\(it ends \\d{4}-\\d{2}-\\d{2} 24:00\\); only a finished week's digest can be sent\\.\\n$`,
        ),
      );
      const preview = capture();
      expect(await digestCommand(db.dataSource, clock, ['--week', week], preview)).toBe(0);
      expect(preview.out.join('')).toContain(`周报 ${week}`);
    }
    expect(await outbox(db.dataSource, ['digest'])).toEqual(queuedBefore);
  });

  it('refuses a malformed week or option', async () => {
    for (const args of [
      ['--week', '2026-48'],
      ['--week', '2025-W53'],
      ['--week', '9999-W52'],
      ['--week', '0000-W01'],
      ['--weak', '2026-W48'],
    ]) {
      const io = capture();
      expect(await digestCommand(db.dataSource, clock, args, io)).toBe(2);
      expect(io.err.join('')).toMatch(/mulin digest: /);
    }
  });

  it('runs a sweep as of the instant given, held at night and run by day', async () => {
    const night = capture();
    expect(await remindCommand(db.dataSource, clock, ['--now', '2026-12-01T02:00+08:00'], night)).toBe(0);
    expect(night.out.join('')).toMatch(
      /^Sweep as of 2026-12-01 02:00 \(Asia\/Shanghai\):\n\d+ reminder\(s\) and \d+ escalation\(s\) queued\.\n\d+ held for quiet hours \(21:00–08:00\); they go out at its end\.\n$/,
    );
    const day = capture();
    expect(await remindCommand(db.dataSource, clock, ['--now', '2026-12-01T10:00+08:00'], day)).toBe(0);
    const reminded = Number(/(\d+) reminder/.exec(day.out.join(''))?.[1]);
    expect(reminded).toBeGreaterThan(0);
    expect(await outbox(db.dataSource, ['reminder'])).toHaveLength(
      reminded + Number(/(\d+) reminder/.exec(night.out.join(''))?.[1]),
    );
    // The same instant again (or the scheduler's own sweep of it) finds every stage done.
    const again = capture();
    expect(await remindCommand(db.dataSource, clock, ['--now', '2026-12-01T10:00'], again)).toBe(0);
    expect(again.out.join('')).toContain('0 reminder(s)');
  });

  /** Everything a sweep could change: the outbox, the reminder log, the requests and their events. */
  async function state(): Promise<unknown> {
    return db.dataSource.query(
      `SELECT (SELECT count(*) FROM outbox)::int AS outbox,
              (SELECT count(*) FROM request_reminder)::int AS reminders,
              (SELECT count(*) FROM request_event)::int AS events,
              (SELECT md5(string_agg(to_jsonb(r)::text, ',' ORDER BY r.id)) FROM request r) AS requests`,
    );
  }

  it('refuses an instant ahead of the clock, whose messages would hold up the groups until then', async () => {
    const before = await state();
    const io = capture();
    // Clock 2026-12-01 10:00.
    expect(await remindCommand(db.dataSource, clock, ['--now', '2026-12-04T10:00+08:00'], io)).toBe(2);
    expect(io.err.join('')).toBe(
      'mulin remind: --now 2026-12-04 10:00 is ahead of the clock (2026-12-01 10:00): what it queued would be ' +
        'due then, and every later message to the same groups would wait behind it. Add --dry-run to see ' +
        'what that sweep would send, without queueing anything.\n',
    );
    expect(io.out).toEqual([]);
    expect(await state()).toEqual(before);
    // A minute ahead is the clock's own minute, or the next: a sweep as the scheduler would run it.
    const soon = capture();
    expect(await remindCommand(db.dataSource, clock, ['--now', '2026-12-01T10:01+08:00'], soon)).toBe(0);
    expect(soon.err).toEqual([]);
  });

  it('with --dry-run, says what a sweep would send, at any instant, and changes nothing', async () => {
    const before = await state();
    const io = capture();
    const args = ['--now', '2026-12-04T10:00+08:00', '--dry-run'];
    expect(await remindCommand(db.dataSource, clock, args, io)).toBe(0);
    const out = io.out.join('');
    expect(out).toMatch(
      /^Dry run as of 2026-12-04 10:00 \(Asia\/Shanghai\); nothing was queued or changed:\n(\d+) reminder\(s\) and (\d+) escalation\(s\) would be queued\.\n/,
    );
    const [, reminded, escalated] = /(\d+) reminder\(s\) and (\d+) escalation/.exec(out) ?? [];
    expect(Number(reminded) + Number(escalated)).toBeGreaterThan(0);
    // One line a message: where it goes (never a webhook key) and what it says.
    const lines = out.split('\n').filter((line) => line.startsWith('  '));
    expect(lines.length).toBeGreaterThanOrEqual(Number(reminded));
    expect(lines.filter((line) => line.includes('提醒：#'))).toHaveLength(Number(reminded));
    for (const line of lines)
      expect(line).toMatch(/^ {2}(\S+号楼 group|leadership group|private to \S+): \S/);
    expect(out).not.toContain('syn-');
    expect(io.err).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it('refuses an instant it cannot read', async () => {
    const io = capture();
    expect(await remindCommand(db.dataSource, clock, ['--now', 'tomorrow'], io)).toBe(2);
    expect(io.err.join('')).toContain('--now expects an instant such as 2026-12-01T10:00+08:00');
  });

  it('queues it to each leadership member privately when their group has no robot, counting parts', async () => {
    const members = [street.ledger.leadership.members[0] ?? '', street.ledger.street.admins[0] ?? ''];
    const leadership = { chat_id: street.ledger.leadership.chat_id, members };
    await importLedger(db.dataSource, { ...street.ledger, leadership }, clock, 'no leadership robot');
    const io = { ...capture(), privateNotices: true };
    expect(await digestCommand(db.dataSource, clock, ['--week', '2026-W47', '--send'], io)).toBe(0);
    expect(io.out.join('')).toMatch(
      /Queued the 2026-W47 digest \((\d+) of \1 part\(s\)\) to the leadership\.\n$/,
    );
    const parts = Number(/\(\d+ of (\d+) part/.exec(io.out.join(''))?.[1]);
    // Each part a message to each member, so that WeCom's limit per member holds for each.
    const queued = (await outbox(db.dataSource, ['digest'])).filter((r) =>
      r.dedupe_key?.startsWith('digest:2026-W47:'),
    );
    expect(queued.map((r) => r.destination)).toEqual(
      Array.from({ length: parts }, () =>
        members.map((id) => ({ type: 'app_message', userIds: [id] })),
      ).flat(),
    );
  });
});
