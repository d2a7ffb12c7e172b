import type { Context } from 'koa';
import type { DataSource } from 'typeorm';
import type { LedgerCache } from '../../ledger/ledger-store';
import type { PageLinks } from '../../requests/page-links';
import type { Clock } from '../../shared/clock';
import type { TrustedProxies } from '../client-address';
import { sessionBinding, sessionOf } from './admin-auth';
import type { Html } from './html';
import { page, type Section } from './layout';
import { signedInName } from './page-actor';
import { nameLookup } from './people';
import type { ViewContext } from './request-bits';
import type { SessionKeys } from './session';
import { dateTimeFormatter } from './time-format';

export interface AdminDeps {
  readonly dataSource: DataSource;
  readonly ledgers: LedgerCache;
  readonly clock: Clock;
  /** IANA zone of the street: dates, weeks and days are its own. */
  readonly timeZone: string;
  readonly keys: SessionKeys;
  /** Whether private notices can go out through the self-built app (the actions' notices). */
  readonly privateNotices: boolean;
  /** Links to a request's page in the actions' private lines to street admins (MULIN_PUBLIC_URL). */
  readonly pageLinks?: PageLinks | undefined;
  /** Called after an action queued notices and committed: wakes the outbox worker. */
  readonly onQueued?: () => void;
  /** MULIN_TRUSTED_PROXIES: whose X-Forwarded-For names the client the audit log records. */
  readonly trustedProxies: TrustedProxies;
}

/** The newest ledger, the clock's now and a name lookup for the given people. */
export async function viewContext(deps: AdminDeps, people: readonly (string | null)[]): Promise<ViewContext> {
  const ledger = await deps.ledgers.current(deps.dataSource);
  return {
    ledger,
    now: deps.clock.now(),
    when: dateTimeFormatter(deps.timeZone),
    name: await nameLookup(deps.dataSource, ledger, people),
  };
}

/** Renders a page into the response, with the sign-out form bound to this session. */
export function respondPage(
  ctx: Context,
  deps: AdminDeps,
  title: string,
  section: Section,
  body: Html,
): void {
  const session = sessionOf(ctx);
  ctx.type = 'html';
  ctx.body = page({
    title,
    section,
    body,
    ...(session
      ? { signOutCsrf: deps.keys.csrfToken(sessionBinding(session)), signedInAs: signedInName(session.staff) }
      : {}),
  }).text;
}
