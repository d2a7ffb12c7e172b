import type { DataSource } from 'typeorm';
import type { Ledger } from '../../ledger/ledger';
import { STREET_OFFICE } from '../../requests/street-actions';

/** How the street office's own steps are signed: one shared sign-in, so no one's name. */
export const STREET_OFFICE_NAME = '街道工作人员';

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
