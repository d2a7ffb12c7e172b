import type { EntityManager } from 'typeorm';
import type { CommandName, ParsedCommand } from '../intake/parse';
import type { BuildingPlace, Ledger } from '../ledger/ledger';
import type { Compound } from '../ledger/schema';
import type { CarriedPhotos } from '../requests/carried-photos';
import type { Outgoing } from '../requests/outgoing';
import type { PageLinks } from '../requests/page-links';
import type { RequestRow } from '../requests/request-store';

export interface CommandContext {
  readonly tx: EntityManager;
  readonly ledger: Ledger;
  readonly now: Date;
  readonly timeZone: string;
  /** The robot's display name (WECOM_BOT_NAME), as residents @ it. */
  readonly botName: string;
  readonly senderId: string;
  /** The building group the command was typed in; undefined in a private chat. */
  readonly place: BuildingPlace | undefined;
  readonly command: ParsedCommand;
  /** The text of the message the sender quote-replied to, if any: a number left out may be in it. */
  readonly quotedText?: string | null;
  readonly out: Outgoing;
  /**
   * The photos the command's message brings, if any: 补充, 进展 and 办结 attach them; a command
   * that leaves them alone need not say so (the desk does).
   */
  readonly photos?: CarriedPhotos | undefined;
  /** Links to a request's page in what reaches the street (上报 to it); none without MULIN_PUBLIC_URL. */
  readonly pageLinks?: PageLinks | undefined;
}

/** Who may run a command on a request. */
export type Permission =
  /** The assignee, a grid worker of the request's compound, or a street admin. */
  | 'handler'
  /** The resident who reported it. */
  | 'reporter'
  /** The reporter, or a handler: the two sides of a request telling each other something. */
  | 'reporter_or_handler'
  /**
   * The reporter, anyone asking in the request's own group (the one it was posted in or its
   * building's, where its receipt was shown), and its handlers.
   */
  | 'reporter_or_neighbour'
  | 'anyone';

/** A command declared as data, prow-style: help and permission checks are generated from these. */
export interface CommandDefinition {
  readonly name: CommandName;
  /** What the verb does to a request, for refusals: 只有处理人…可以「接单」. */
  readonly action: string;
  readonly permission: Permission;
  /** Whether only people with a ledger role see it in help. */
  readonly forStaff: boolean;
  /** Runs with the request (locked for this transaction) when the command needs a number. */
  run(ctx: CommandContext, request: RequestRow | null): Promise<void>;
}

/** A building or unit head in one of these compounds (by default, anywhere in the street). */
export function isHead(
  ledger: Ledger,
  personId: string,
  compounds: readonly Compound[] = ledger.allCompounds(),
): boolean {
  return compounds.some((c) =>
    c.buildings.some((b) => b.head === personId || (b.units ?? []).some((u) => u.head === personId)),
  );
}

/**
 * Whom routing can make a request's handler, so who needs the handler commands: heads, grid
 * workers and street admins. Team volunteers and leaders only help; 转派 can still hand them one.
 */
export function handlesRequests(ledger: Ledger, personId: string): boolean {
  return ledger.isAdmin(personId) || ledger.isGridWorker(personId, null) || isHead(ledger, personId);
}

export function isHandler(ledger: Ledger, personId: string, request: RequestRow): boolean {
  return (
    request.assigneeId === personId ||
    ledger.isGridWorker(personId, request.compoundId) ||
    ledger.isAdmin(personId)
  );
}
