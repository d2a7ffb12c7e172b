import type { Ledger } from '../../ledger/ledger';
import { charCount } from '../../requests/street-actions';
import { html, type Html } from './html';
import { isPhoneLike } from './list-filter';
import type { SignedInStaff } from './session';

/** The sign-in form's choice for someone not among the ledger's street admins (no userid has a colon). */
export const OTHER = ':other';
export const NAME_MIN = 2;
export const NAME_MAX = 20;

/** What the sign-in form was sent with, kept to show it again with a refusal. */
export interface StaffChoice {
  /** A street admin's userid, OTHER, or '' when nothing was chosen. */
  readonly who: string;
  readonly name: string;
}

export interface StreetAdmin {
  readonly userId: string;
  readonly name: string;
}

/** The ledger's street admins that it names (an id with no person entry cannot be shown). */
export function streetAdmins(ledger: Ledger): StreetAdmin[] {
  return ledger.document.street.admins.flatMap((id) => {
    const person = ledger.person(id);
    return person ? [{ userId: id, name: person.name }] : [];
  });
}

export type StaffVerdict =
  | { readonly ok: true; readonly staff: SignedInStaff }
  /** `shown`: what the form shows again, the name left out when it held a number or the token. */
  | { readonly ok: false; readonly problem: string; readonly shown: StaffChoice };

/** Line breaks and runs of spaces to one space: a name is shown on one line. */
function tidy(name: string): string {
  return name.replace(/\s+/gu, ' ').trim();
}

/**
 * Who the person signing in says they are: a street admin of the current ledger, or 其他 with a
 * name (2–20 characters, no phone number, not the token typed in the wrong box). A name typed
 * with nothing chosen counts as 其他. Checked before the token is tried, so that a refusal here
 * says nothing about the token and costs no attempt.
 */
export function readStaffChoice(ledger: Ledger, choice: StaffChoice, token: string): StaffVerdict {
  const name = tidy(choice.name);
  const who = choice.who || (name ? OTHER : '');
  const refuse = (problem: string, keepName = true): StaffVerdict => ({
    ok: false,
    problem,
    shown: { who, name: keepName ? name : '' },
  });
  if (!who) return refuse('请选择您是谁；不在名单里的，选“其他”并填写姓名');
  if (who !== OTHER) {
    const admin = streetAdmins(ledger).find((a) => a.userId === who);
    if (!admin) return refuse('街道管理员名单已更新，请重新选择您是谁');
    return { ok: true, staff: { userId: admin.userId, name: admin.name } };
  }
  if (!name) return refuse('选“其他”时请填写您的姓名');
  // The same text in both boxes: the token typed into the name, never to be kept or shown again.
  if (name === token || choice.name === token) return refuse('姓名栏请填写姓名，不要填口令', false);
  // Control characters and the like have no place in a name shown on every page.
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(name)) return refuse('姓名里有无法显示的字符，请重新填写', false);
  if (charCount(name) < NAME_MIN) return refuse(`姓名至少 ${NAME_MIN} 个字`);
  if (charCount(name) > NAME_MAX) return refuse(`姓名最多 ${NAME_MAX} 个字，现在有 ${charCount(name)} 个字`);
  if (isPhoneLike(name)) return refuse('姓名里不能有电话号码，请只填姓名', false);
  return { ok: true, staff: { userId: null, name } };
}

/** The sign-in form's 您是 choice: each street admin, then 其他 with a box for the name. */
export function staffFields(admins: readonly StreetAdmin[], choice: StaffChoice): Html {
  const radio = (value: string, label: string) =>
    html`<label class="choice"
      ><input type="radio" name="who" value="${value}" ${choice.who === value ? html`checked` : ''} />
      ${label}</label
    >`;
  return html`<fieldset class="who">
    <legend>您是</legend>
    ${admins.map((a) => radio(a.userId, a.name))} ${radio(OTHER, '其他')}
    <label for="staff-name">姓名（选“其他”时填写）</label>
    <input
      id="staff-name"
      name="name"
      type="text"
      maxlength="${NAME_MAX}"
      autocomplete="name"
      value="${choice.name}"
    />
  </fieldset>`;
}
