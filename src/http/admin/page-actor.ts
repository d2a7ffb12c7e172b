import type { Context } from 'koa';
import { STREET_OFFICE, type StreetStaff } from '../../requests/street-actions';
import { sessionOf } from './admin-auth';
import { STREET_OFFICE_NAME, streetStaffName } from './people';
import type { SignedInStaff } from './session';

/** The audit log's actor for a request made with the bearer token (scripts): it names no one. */
export const BEARER_ACTOR = 'api:token';
const BEARER_NAME = '管理口令（接口）';

/** Who a session's actions are done by; null for a request with the bearer token (no session). */
export function staffOf(ctx: Context): StreetStaff | null {
  const session = sessionOf(ctx);
  if (!session) return null;
  return session.staff ?? { userId: null, name: null };
}

/** The name in the page header next to 退出: who signed in, 街道工作人员 for a session from before names. */
export function signedInName(staff: SignedInStaff | null): string {
  return staff?.name ?? STREET_OFFICE_NAME;
}

/**
 * How the audit log names who did something: a street admin by userid and name; someone who
 * typed a name as the street office with that name; a session from before names as the office
 * alone; the bearer token as itself.
 */
export function auditActor(staff: StreetStaff | null): { actorId: string; actorName: string | null } {
  if (staff === null) return { actorId: BEARER_ACTOR, actorName: null };
  return { actorId: staff.userId ?? STREET_OFFICE, actorName: staff.name };
}

/** An audit entry's actor as the 操作记录 page shows it. */
export function auditActorName(actorId: string | null, actorName: string | null): string {
  if (actorId === BEARER_ACTOR) return BEARER_NAME;
  if (actorId === STREET_OFFICE) return streetStaffName(actorName);
  return actorName ?? actorId ?? '—';
}
