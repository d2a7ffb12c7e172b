import type { DataSource } from 'typeorm';
import type { Ledger } from '../../ledger/ledger';
import { STAFF_NAME_KEY, STREET_OFFICE } from '../../requests/street-actions';

/** How the street office's steps are signed when no one was named (a session from before names). */
export const STREET_OFFICE_NAME = '街道工作人员';

/** 街道·王小明: someone of the street office who typed their name at sign-in, not one of the ledger's. */
export function streetStaffName(typed: string | null | undefined): string {
  return typed ? `街道·${typed}` : STREET_OFFICE_NAME;
}

/**
 * Who did an event, for the timeline and /api: the street office's steps by the name typed at
 * sign-in (its data's STAFF_NAME_KEY), everyone else's by `name`, the lookup below.
 */
export function actorName(
  event: { readonly actorId: string | null; readonly data: Readonly<Record<string, unknown>> },
  name: (id: string | null) => string | null,
): string | null {
  if (event.actorId !== STREET_OFFICE) return name(event.actorId);
  const typed = event.data[STAFF_NAME_KEY];
  return streetStaffName(typeof typed === 'string' ? typed : null);
}

/**
 * Display names for userids: the ledger's, else the one the person table remembers for someone
 * since removed from it; the street office's pages sign as 街道工作人员. Only names are read here;
 * phone numbers never reach a page.
 */
export async function nameLookup(
  dataSource: DataSource,
  ledger: Ledger,
  ids: readonly (string | null)[],
): Promise<(id: string | null) => string | null> {
  const unknown = [...new Set(ids)].filter(
    (p): p is string => p !== null && p !== STREET_OFFICE && !ledger.person(p),
  );
  const former = new Map<string, string>();
  if (unknown.length > 0) {
    const rows = await dataSource.query<{ id: string; name: string }[]>(
      `SELECT id, name FROM person WHERE id = ANY($1::text[])`,
      [unknown],
    );
    for (const row of rows) former.set(row.id, row.name);
  }
  return (id) => {
    if (id === null) return null;
    if (id === STREET_OFFICE) return STREET_OFFICE_NAME;
    return ledger.person(id)?.name ?? former.get(id) ?? null;
  };
}
