import { parseArgs } from 'node:util';
import type { DataSource, EntityManager } from 'typeorm';
import {
  FIRST_WEEK_YEAR,
  formatIsoWeek,
  LAST_WEEK_YEAR,
  lastFullWeekBefore,
  localParts,
  parseIsoWeek,
  weekBounds,
  weekDates,
  zonedInstant,
  type IsoWeek,
} from '../digest/calendar';
import { LedgerCache } from '../ledger/ledger-store';
import type { Ledger } from '../ledger/ledger';
import type { OutboxDestination } from '../outbox';
import type { Clock } from '../shared/clock';
import { silentLogger, type Logger } from '../shared/logger';
import { runClaimed } from './claim';
import { defaultInstance, type SchedulerOptions } from './options';
import { formatQuietHours, isQuiet } from './quiet-hours';
import { sweepReminders, type SweepResult } from './reminder-sweep';
import { digestDestination, digestParts, queueDigest } from './weekly-jobs';

/** Lines for `mulin help`. */
export const CLI_USAGE = `  digest [--week 2026-W48] [--send]
                                  print a week's digest (default: last full week); --send queues it to the leadership group (a finished week; not in quiet hours)
  remind [--now 2026-12-01T10:00+08:00] [--dry-run]
                                  run a reminder sweep as of that instant (default: now; not ahead of the clock) and say
                                  what it queued; --dry-run says what it would send, at any instant, and queues nothing
`;

export type CliSettings = Pick<
  SchedulerOptions,
  'timeZone' | 'quietHours' | 'privateNotices' | 'pageLinks'
> & {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly logger?: Logger;
};

function io(settings: CliSettings) {
  return {
    out: settings.stdout ?? ((text: string) => void process.stdout.write(text)),
    err: settings.stderr ?? ((text: string) => void process.stderr.write(text)),
  };
}

function parse(args: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return { ok: true as const, values: parseArgs({ args: [...args], options, strict: true }).values };
  } catch (error) {
    return { ok: false as const, message: (error as Error).message };
  }
}

async function currentLedger(dataSource: DataSource, err: (text: string) => void): Promise<Ledger | null> {
  const ledger = await new LedgerCache().current(dataSource);
  if (ledger.version === 0) {
    err('No ledger has been imported yet: run `mulin ledger import FILE` first.\n');
    return null;
  }
  return ledger;
}

/**
 * `mulin digest [--week 2026-W48] [--send]`: prints any week's digest; --send queues it (once per
 * week), outside quiet hours.
 */
export async function digestCommand(
  dataSource: DataSource,
  clock: Clock,
  args: readonly string[],
  settings: CliSettings,
): Promise<number> {
  const { out, err } = io(settings);
  const parsed = parse(args, { week: { type: 'string' }, send: { type: 'boolean' } });
  if (!parsed.ok) {
    err(`mulin digest: ${parsed.message}\n\nUsage:\n${CLI_USAGE}`);
    return 2;
  }
  const weekText = parsed.values.week as string | undefined;
  let week: IsoWeek = lastFullWeekBefore(clock.now(), settings.timeZone);
  if (weekText !== undefined) {
    const given = parseIsoWeek(weekText);
    if (!given) {
      err(
        `mulin digest: --week expects an ISO week of ${FIRST_WEEK_YEAR}–${LAST_WEEK_YEAR} such as 2026-W48, not "${weekText}".\n`,
      );
      return 2;
    }
    week = given;
  }
  // A week not yet over would be sent with its figures so far, and under the week's one-time key, so
  // the scheduler's digest of the finished week would never go out.
  if (parsed.values.send === true && weekBounds(week, settings.timeZone).end > clock.now()) {
    const { year, month, day } = weekDates(week).sunday;
    const sunday = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    err(
      `mulin digest: ${formatIsoWeek(week)} has not ended (it ends ${sunday} 24:00); only a finished week's digest can be sent.\n`,
    );
    return 2;
  }
  const ledger = await currentLedger(dataSource, err);
  if (!ledger) return 1;
  const destination = digestDestination(ledger, settings.privateNotices);
  const parts = await digestParts(
    dataSource,
    ledger,
    week,
    settings.timeZone,
    destination?.maxBytes,
    settings.pageLinks,
  );
  out(`${parts.join('\n\n')}\n`);
  if (parsed.values.send !== true) return 0;
  if (!destination) {
    err('Not sent: the ledger has no leadership.webhook_key and the self-built app is not configured.\n');
    return 1;
  }
  const now = clock.now();
  // Queued at night it would be held until morning, and every later message to the group (urgent
  // reminders too) would wait behind it in the outbox: the operator sends it after quiet hours.
  if (isQuiet(now, settings.quietHours, settings.timeZone)) {
    err(
      `Not sent: it is quiet hours (${formatQuietHours(settings.quietHours)}); run this again when they end.\n`,
    );
    return 1;
  }
  // Exactly what was printed is what is queued.
  const sent = await dataSource.transaction((tx) =>
    queueDigest(tx, ledger, week, now, settings, { destination, parts }),
  );
  const label = formatIsoWeek(week);
  if (sent.queued === 0) {
    out(`\nThe ${label} digest was queued before; nothing new was queued.\n`);
  } else {
    out(`\nQueued the ${label} digest (${sent.queued} of ${sent.parts} part(s)) to the leadership.\n`);
  }
  return 0;
}

/** 2026-12-01T10:00+08:00, 2026-12-01T02:00Z, or 2026-12-01T10:00 read in the street's time zone. */
export function parseInstant(text: string, timeZone: string): Date | null {
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(text.trim());
  if (local) {
    const [year, month, day, hour, minute] = local.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return zonedInstant({ year, month, day, hour, minute }, timeZone);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text.trim())) return null;
  const at = new Date(text.trim());
  return Number.isNaN(at.getTime()) ? null : at;
}

/** 2026-12-01 10:00 */
function localMinute(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

function describeSweep(r: SweepResult, quiet: boolean, settings: CliSettings, dryRun: boolean): string {
  const lines = [
    `${r.reminded} reminder(s) and ${r.escalated} escalation(s) ${dryRun ? 'would be ' : ''}queued.`,
  ];
  if (r.streetReminded > 0) {
    lines.push(`${r.streetReminded} already with the street and late again: the street was told.`);
  }
  if (r.held > 0) {
    lines.push(
      `${r.held} held for quiet hours (${formatQuietHours(settings.quietHours)}); they go out at its end.`,
    );
  } else if (quiet) {
    lines.push(
      `Quiet hours (${formatQuietHours(settings.quietHours)}): only urgent requests are chased now.`,
    );
  }
  if (r.failed > 0) lines.push(`${r.failed} failed (see the log); the next sweep retries them.`);
  return `${lines.join('\n')}\n`;
}

/**
 * How far ahead of the clock --now may be: the clock's minute, or the next one. A sweep further
 * ahead queues messages due at that instant, and since a group's messages go out in order,
 * everything later to those groups (urgent replies too) would wait until then.
 */
const MAX_AHEAD_MS = 60_000;

/** Thrown to roll a dry run's sweep back once its messages have been read. */
class DryRun extends Error {}

interface Preview {
  readonly destination: OutboxDestination;
  readonly body: { readonly content: string };
}

/** The messages the sweep as of `now` queued in this transaction (their dedupe keys start so). */
async function queuedBySweep(tx: EntityManager, now: Date): Promise<Preview[]> {
  return tx.query<Preview[]>(
    `SELECT destination, body FROM outbox WHERE created_at = $1 AND dedupe_key LIKE 'reminder:%' ORDER BY id`,
    [now],
  );
}

/** Where a message goes, by name: a webhook key is a credential and is never printed. */
function destinationName(ledger: Ledger, d: OutboxDestination): string {
  if (d.type === 'app_message') return `private to ${d.userIds.map((id) => ledger.nameOf(id)).join('、')}`;
  if (d.type !== 'group_webhook') return 'a reply';
  if (d.webhookKey === ledger.document.leadership.webhook_key) return 'leadership group';
  for (const compound of ledger.allCompounds()) {
    const building = compound.buildings.find((b) => b.webhook_key === d.webhookKey);
    if (building) return `${compound.name}${building.name} group`;
  }
  return 'a group';
}

/**
 * `mulin remind [--now INSTANT] [--dry-run]`: one reminder sweep as of that instant. It takes the
 * job's lock but claims no period, so it runs even if the scheduler swept that minute; each
 * request's stage still happens once, whoever runs the sweep. An instant ahead of the clock is
 * refused (see MAX_AHEAD_MS) unless it is a dry run, which sweeps in a transaction that is rolled
 * back and prints what would have been sent.
 */
export async function remindCommand(
  dataSource: DataSource,
  clock: Clock,
  args: readonly string[],
  settings: CliSettings,
): Promise<number> {
  const { out, err } = io(settings);
  const parsed = parse(args, { now: { type: 'string' }, 'dry-run': { type: 'boolean' } });
  if (!parsed.ok) {
    err(`mulin remind: ${parsed.message}\n\nUsage:\n${CLI_USAGE}`);
    return 2;
  }
  const dryRun = parsed.values['dry-run'] === true;
  const nowText = parsed.values.now as string | undefined;
  const now = nowText === undefined ? clock.now() : parseInstant(nowText, settings.timeZone);
  if (!now) {
    err(`mulin remind: --now expects an instant such as 2026-12-01T10:00+08:00, not "${nowText ?? ''}".\n`);
    return 2;
  }
  if (!dryRun && now.getTime() - clock.now().getTime() > MAX_AHEAD_MS) {
    const tz = settings.timeZone;
    err(
      `mulin remind: --now ${localMinute(now, tz)} is ahead of the clock (${localMinute(clock.now(), tz)}): ` +
        'what it queued would be due then, and every later message to the same groups would wait behind it. ' +
        'Add --dry-run to see what that sweep would send, without queueing anything.\n',
    );
    return 2;
  }
  const ledger = await currentLedger(dataSource, err);
  if (!ledger) return 1;
  let result = null as SweepResult | null;
  let preview: Preview[] = [];
  try {
    const outcome = await runClaimed(
      dataSource,
      { job: 'reminders', period: null, instance: `cli:${defaultInstance()}`, now },
      async (tx) => {
        result = await sweepReminders(tx, ledger, now, settings, settings.logger ?? silentLogger);
        if (!dryRun) return { ...result };
        preview = await queuedBySweep(tx, now);
        throw new DryRun();
      },
    );
    if (outcome.status === 'skipped') result = null;
  } catch (error) {
    if (!(error instanceof DryRun)) throw error;
  }
  if (result === null) {
    err('Another reminder sweep is running right now; try again in a moment.\n');
    return 1;
  }
  const when = `${localMinute(now, settings.timeZone)} (${settings.timeZone})`;
  out(dryRun ? `Dry run as of ${when}; nothing was queued or changed:\n` : `Sweep as of ${when}:\n`);
  out(describeSweep(result, isQuiet(now, settings.quietHours, settings.timeZone), settings, dryRun));
  for (const m of preview) {
    out(`  ${destinationName(ledger, m.destination)}: ${m.body.content.replaceAll('\n', ' / ')}\n`);
  }
  return 0;
}
