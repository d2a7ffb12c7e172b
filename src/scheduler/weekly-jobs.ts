import type { DataSource, EntityManager } from 'typeorm';
import {
  buildDigest,
  buildingWeeks,
  formatIsoWeek,
  renderBuildingNote,
  renderDigest,
  weekBounds,
  type IsoWeek,
} from '../digest';
import type { Ledger } from '../ledger/ledger';
import { deliver } from '../requests/deliver';
import type { Audience } from '../requests/outgoing';
import type { PageLinks } from '../requests/page-links';
import { MESSAGE_LIMITS } from '../wecom/client';

export interface WeeklySettings {
  readonly timeZone: string;
  readonly privateNotices: boolean;
  /** Links to the pages in the digest (never in the building notes); none without MULIN_PUBLIC_URL. */
  readonly pageLinks?: PageLinks | undefined;
}

type Db = EntityManager | DataSource;

/**
 * Where the digest goes: the leadership group's robot; failing that, the leadership members one by
 * one through the self-built app (whose markdown limit is smaller); null when neither is set up.
 */
export function digestDestination(
  ledger: Ledger,
  privateNotices: boolean,
): { audience: Audience; maxBytes: number } | null {
  const leadership = ledger.document.leadership;
  if (leadership.webhook_key)
    return { audience: { to: 'leadership' }, maxBytes: MESSAGE_LIMITS.webhookMarkdown };
  if (privateNotices) {
    return { audience: { to: 'people', userIds: leadership.members }, maxBytes: MESSAGE_LIMITS.appMarkdown };
  }
  return null;
}

/** The digest of a week as the markdown parts that would be sent. */
export async function digestParts(
  db: Db,
  ledger: Ledger,
  week: IsoWeek,
  timeZone: string,
  maxBytes: number = MESSAGE_LIMITS.webhookMarkdown,
  links?: PageLinks,
): Promise<string[]> {
  return renderDigest(await buildDigest(db, ledger, week, timeZone), ledger, maxBytes, links);
}

/** A week's digest rendered for where it goes, ready to queue. */
export interface PreparedDigest {
  readonly destination: { audience: Audience; maxBytes: number } | null;
  readonly parts: readonly string[];
}

/**
 * Builds and renders a week's digest. On a DataSource this reads on several connections at once,
 * which is why the weekly job prepares the digest before the transaction that claims the week.
 */
export async function prepareDigest(
  db: Db,
  ledger: Ledger,
  week: IsoWeek,
  settings: WeeklySettings,
): Promise<PreparedDigest> {
  const destination = digestDestination(ledger, settings.privateNotices);
  if (!destination) return { destination, parts: [] };
  const parts = await digestParts(
    db,
    ledger,
    week,
    settings.timeZone,
    destination.maxBytes,
    settings.pageLinks,
  );
  return { destination, parts };
}

/**
 * Queues a week's digest to the leadership; each part under its own dedupe key, so at most once.
 * Given no prepared digest, it builds one inside the transaction.
 */
export async function queueDigest(
  tx: EntityManager,
  ledger: Ledger,
  week: IsoWeek,
  now: Date,
  settings: WeeklySettings,
  prepared?: PreparedDigest,
): Promise<{ parts: number; queued: number; duplicates: number; destination: string }> {
  const { destination, parts } = prepared ?? (await prepareDigest(tx, ledger, week, settings));
  if (!destination) return { parts: 0, queued: 0, duplicates: 0, destination: 'none' };
  const label = formatIsoWeek(week);
  let queued = 0;
  let duplicates = 0;
  for (const [i, content] of parts.entries()) {
    const result = await deliver(
      tx,
      [{ audience: destination.audience, format: 'markdown', content, mentions: [], purpose: 'digest' }],
      {
        ledger,
        privateNotices: settings.privateNotices,
        now,
        dedupeKey: `digest:${label}:part${i + 1}`,
      },
    );
    // Counted in parts: sent privately, a part is a row for each member.
    if (result.queued > 0) queued++;
    else if (result.duplicates > 0) duplicates++;
  }
  return { parts: parts.length, queued, duplicates, destination: destination.audience.to };
}

/** Queues each building group's note on its own week (buildings with a group robot and something to say). */
export async function queueBuildingNotes(
  tx: EntityManager,
  ledger: Ledger,
  week: IsoWeek,
  now: Date,
  settings: WeeklySettings,
): Promise<{ queued: number; duplicates: number; silent: number }> {
  const { start } = weekBounds(week, settings.timeZone);
  const figures = await buildingWeeks(tx, { weekStart: start, timeZone: settings.timeZone });
  const label = formatIsoWeek(week);
  let queued = 0;
  let duplicates = 0;
  let silent = 0;
  for (const compound of ledger.allCompounds()) {
    for (const building of compound.buildings) {
      if (!building.webhook_key) continue;
      const note = renderBuildingNote(building.name, week, figures.get(building.id));
      if (!note) {
        silent++;
        continue;
      }
      const result = await deliver(
        tx,
        [
          {
            audience: { to: 'building', buildingId: building.id },
            format: 'text',
            content: note,
            mentions: [],
            purpose: 'weekly-note',
          },
        ],
        {
          ledger,
          privateNotices: settings.privateNotices,
          now,
          dedupeKey: `week-note:${label}:${building.id}`,
        },
      );
      queued += result.queued;
      duplicates += result.duplicates;
    }
  }
  return { queued, duplicates, silent };
}
