import type { EntityManager } from 'typeorm';
import type { CommandName, ParsedCommand } from '../intake/parse';
import type { BuildingPlace, Ledger } from '../ledger/ledger';
import type { Outgoing } from '../requests/outgoing';
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
  readonly out: Outgoing;
}

/** Who may run a command on a request. */
export type Permission =
  /** The assignee, a grid worker of the request's compound, or a street admin. */
  | 'handler'
  /** The resident who reported it. */
  | 'reporter'
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

export function isHandler(ledger: Ledger, personId: string, request: RequestRow): boolean {
  return (
    request.assigneeId === personId ||
    ledger.isGridWorker(personId, request.compoundId) ||
    ledger.isAdmin(personId)
  );
}
