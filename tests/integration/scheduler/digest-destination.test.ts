import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../src/db/data-source';
import { importLedger } from '../../../src/ledger/ledger-store';
import type { JobOutcome } from '../../../src/scheduler';
import { fixedClock } from '../../../src/shared/clock';
import { capturingLogger } from '../../helpers/capturing-logger';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { generateStreet, insertStreet, type SyntheticStreet } from '../../helpers/synthetic-street';
import { at, newScheduler, outbox } from './scheduler-fixtures';

/**
 * A street that has not yet given the leadership group a robot (and has no self-built app) has
 * nowhere to send the weekly digest. The week is left open rather than claimed, so once the ledger
 * names the group's robot later that week the catch-up sends it, once, whatever the instances.
 */

let db: TestDatabase;
let second: DataSource;
let street: SyntheticStreet;

beforeAll(async () => {
  db = await openTestDatabase();
  second = db.url ? await openDatabase({ databaseUrl: db.url, dataDir: 'unused' }) : db.dataSource;
  street = generateStreet({
    seed: 11,
    requests: 60,
    from: at('11-23 00:00'),
    to: at('12-06 20:00'),
    asOf: at('12-07 00:00'),
  });
  // The leadership group without its robot.
  const leadership = { ...street.ledger.leadership, webhook_key: undefined };
  await insertStreet(db.dataSource, { ...street, ledger: { ...street.ledger, leadership } });
});

afterAll(async () => {
  if (second !== db.dataSource) await second.destroy();
  await db.close();
});

const reasonOrStatus = (o: JobOutcome) => (o.status === 'skipped' ? o.reason : o.status);

async function claimedWeeks(): Promise<string[]> {
  const rows = await db.dataSource.query<{ period: string }[]>(
    `SELECT period FROM scheduled_run WHERE job = 'weekly-digest' ORDER BY period`,
  );
  return rows.map((r) => r.period);
}

it('leaves the week open while the digest has nowhere to go, and sends it once when it has', async () => {
  const log = capturingLogger();
  // Private notices off: the leadership members cannot be reached one by one either.
  const options = { privateNotices: false };
  const a = newScheduler(db.dataSource, at('12-07 09:00'), { ...options, instance: 'a' }, log.logger);
  const b = newScheduler(second, at('12-07 09:00'), { ...options, instance: 'b' }).scheduler;

  // Monday 09:00, W49's digest is due; the catch-up looks again every ten minutes.
  expect(await a.scheduler.runJob('weekly-digest', at('12-07 09:00'))).toEqual({
    job: 'weekly-digest',
    period: '2026-W49',
    status: 'skipped',
    reason: 'nowhere',
  });
  const tries = await Promise.all([
    a.scheduler.makeUp(at('12-07 09:10'), ['weekly-digest']),
    b.makeUp(at('12-07 09:10'), ['weekly-digest']),
    a.scheduler.makeUp(at('12-08 15:00'), ['weekly-digest']),
  ]);
  expect(tries.flat().map(reasonOrStatus)).toEqual(['nowhere', 'nowhere', 'nowhere']);
  expect(await claimedWeeks()).toEqual([]);
  expect(await outbox(db.dataSource, ['digest'])).toEqual([]);
  // Said once, not at every try: the operator has one thing to fix.
  const warnings = log.lines().filter((l) => l.level === 40);
  expect(warnings).toEqual([
    expect.objectContaining({ period: '2026-W49', msg: expect.stringMatching(/leadership\.webhook_key/) }),
  ]);

  // Wednesday morning the street office gives the leadership group its robot.
  await importLedger(db.dataSource, street.ledger, fixedClock(at('12-09 09:55')), 'test');
  const [fromA, fromB] = await Promise.all([
    a.scheduler.makeUp(at('12-09 10:00'), ['weekly-digest']),
    b.makeUp(at('12-09 10:00'), ['weekly-digest']),
  ]);
  const ran = [...fromA, ...fromB].filter((o) => o.status === 'ran');
  expect(ran).toEqual([
    expect.objectContaining({
      period: '2026-W49',
      summary: expect.objectContaining({ destination: 'leadership' }),
    }),
  ]);
  expect(await claimedWeeks()).toEqual(['2026-W49']);
  const digests = await outbox(db.dataSource, ['digest']);
  expect(digests.length).toBeGreaterThan(0);
  expect(digests.every((d) => d.destination.webhookKey === street.ledger.leadership.webhook_key)).toBe(true);
  expect(new Set(digests.map((d) => d.dedupe_key)).size).toBe(digests.length);

  // Later tries find it done; nothing is queued twice.
  const again = await Promise.all([
    a.scheduler.makeUp(at('12-09 10:10'), ['weekly-digest']),
    b.makeUp(at('12-09 10:10'), ['weekly-digest']),
  ]);
  expect(again.flat().map(reasonOrStatus)).toEqual(['done', 'done']);
  expect(await outbox(db.dataSource, ['digest'])).toHaveLength(digests.length);
});
