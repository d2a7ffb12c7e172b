import { z } from 'zod';
import type { Ledger } from '../../ledger/ledger';
import type { Compound } from '../../ledger/schema';
import { AppError } from '../../shared/errors';
import { html, type Html, trustedHtml } from './html';

/** A page that is the street's or one compound's: ?compound= and nothing else. */
const ScopeQuery = z.strictObject({
  compound: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,64}$/)
    .optional(),
});

/** The compound a page is for, from its ?compound=; undefined for the street, 404 for an unknown one. */
export function scopeOf(ctx: { query: unknown }, ledger: Ledger, page: string): Compound | undefined {
  const parsed = ScopeQuery.safeParse(ctx.query);
  if (!parsed.success) throw new AppError('bad_request', `admin ${page}: bad query`);
  const compoundId = parsed.data.compound;
  if (compoundId === undefined) return undefined;
  const compound = ledger.compound(compoundId);
  if (!compound) throw new AppError('not_found', `admin ${page}: no compound "${compoundId}"`);
  return compound;
}

/** The street, then every compound, as links to `path` (the current one in bold). */
export function scopeNav(ledger: Ledger, current: string | undefined, path: string): Html {
  return html`<nav class="card small scopes" aria-label="范围">
    ${scopeLink(undefined, '全街道', current, path)}${ledger.allCompounds().map((c) => html` · ${scopeLink(c.id, c.name, current, path)}`)}
  </nav>`;
}

/** `path` for the compound, or for the street without one. */
export function scopedPath(path: string, compoundId: string | undefined): string {
  return `${path}${compoundId === undefined ? '' : `?compound=${encodeURIComponent(compoundId)}`}`;
}

function scopeLink(id: string | undefined, name: string, current: string | undefined, path: string): Html {
  if (id === current) return html`<strong>${name}</strong>`;
  return html`<a href="${trustedHtml(scopedPath(path, id))}">${name}</a>`;
}
