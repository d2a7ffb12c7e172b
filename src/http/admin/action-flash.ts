import type { Context } from 'koa';
import { findEventByFormKey, type RequestRow } from '../../requests/request-store';
import { confirmationOf } from './action-forms';
import { type AdminDeps, viewContext } from './admin-context';
import { FORM_KEY } from './form-guard';

/**
 * After an action the browser is sent back to the request's page (POST, redirect, GET), which
 * says once what was done. The cookie carries only the form's key, scoped to that page and
 * cleared as it is read; the line itself is read back from the event the key wrote, so a reload
 * shows nothing and no instance needs to remember anything.
 */
const FLASH_COOKIE = 'mulin_done';

function pathOf(no: number): string {
  return `/admin/requests/${no}`;
}

export function setConfirmation(ctx: Context, no: number, formKey: string): void {
  ctx.cookies.set(FLASH_COOKIE, formKey, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: pathOf(no),
    maxAge: 5 * 60_000,
    overwrite: true,
  });
}

/** The confirmation waiting for this request's page, if any; cleared as it is read. */
export async function takeConfirmation(
  ctx: Context,
  deps: AdminDeps,
  request: RequestRow,
): Promise<string | null> {
  const key = ctx.cookies.get(FLASH_COOKIE);
  if (key === undefined) return null;
  ctx.cookies.set(FLASH_COOKIE, '', { path: pathOf(request.no), maxAge: 0, overwrite: true, httpOnly: true });
  if (!FORM_KEY.test(key)) return null;
  const event = await findEventByFormKey(deps.dataSource, key);
  if (!event || event.requestId !== request.id) return null;
  const view = await viewContext(deps, [typeof event.data.to === 'string' ? event.data.to : null]);
  return confirmationOf(event, view);
}
