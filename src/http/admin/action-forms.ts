import { handoverCandidates } from '../../requests/handover-candidates';
import type { EventRow, RequestRow } from '../../requests/request-store';
import { STAFF_NOTE, STAFF_NOTE_MAX, URGE_NOTE_MAX, URGED } from '../../requests/street-actions';
import { reassignReach, urgeReach, type NoticeReach } from '../../requests/street-notices';
import { closedReason } from '../../requests/transitions';
import { escapeHtml, html, Html } from './html';
import { newFormKey } from './form-guard';
import type { ViewContext } from './request-bits';

export type ActionKind = 'urge' | 'reassign' | 'note';
export const ACTION_KINDS: readonly ActionKind[] = ['urge', 'reassign', 'note'];

/** What the actions card shows besides its forms: a refusal, with what was typed kept in its form. */
export interface ActionProblem {
  readonly action: ActionKind;
  readonly message: string;
  readonly note?: string;
  readonly to?: string;
}

/**
 * What the street office can do about one request, as three forms (no script): 督办, 转派 and an
 * internal note. Each carries the session's CSRF token and a one-time key of its own
 * (street-actions.ts), so sending it twice does it once. A closed request keeps only the note.
 * 督办 and 转派 say where their notices will go, read from how they would be routed now
 * (`privateNotices`: whether the self-built app can send private ones): the building group, a
 * private message, or nowhere, so the clerk knows before sending that a phone call is needed.
 */
export function actionForms(
  r: RequestRow,
  view: ViewContext,
  csrf: string,
  problem: ActionProblem | null,
  privateNotices: boolean,
): Html {
  const closed = closedReason(r.status);
  // A key for each form: one shared by the three would make a second action from the same page
  // view (a note typed while a 督办 loads) look like a repeat of the first, and be dropped.
  const hidden = () =>
    html`<input type="hidden" name="_csrf" value="${csrf}" /><input
        type="hidden"
        name="_form"
        value="${newFormKey()}"
      />`;
  const alert = (action: ActionKind) =>
    problem?.action === action ? html`<p class="error" role="alert">${problem.message}</p>` : '';
  const typed = (action: ActionKind) => (problem?.action === action ? (problem.note ?? '') : '');
  const handler = view.name(r.assigneeId) ?? r.assigneeId;
  const building = view.ledger.buildingNames(r.buildingId)?.building;
  const group = building ? `${building}群` : '楼栋群';
  const nowhere = `${group}没有可用的群机器人${privateNotices ? '' : '，也没有开通应用消息'}，通知发不出去`;

  const urgeTo = urgeReach(view.ledger, r, privateNotices);
  const urge = closed
    ? ''
    : html`<form class="act" method="post" action="/admin/requests/${r.no}/urge">
        <h3>督办</h3>
        ${alert('urge')}
        <p class="muted small">${urgePromise(urgeTo, group, handler, nowhere)}</p>
        <label for="urge-note">${urgeNoteLabel(urgeTo)}</label>
        <input
          id="urge-note"
          name="note"
          type="text"
          maxlength="${URGE_NOTE_MAX}"
          value="${typed('urge')}"
          placeholder="例如：居民多次反映，请今天处理"
        />
        ${hidden()}
        <button class="primary" type="submit">督办</button>
      </form>`;

  const reassign = closed
    ? ''
    : html`<form class="act" method="post" action="/admin/requests/${r.no}/reassign">
        <h3>转派</h3>
        ${alert('reassign')}
        <p class="muted small">
          ${reassignPromise(reassignReach(view.ledger, r, privateNotices), group, nowhere)}
        </p>
        <label for="reassign-to">转派给</label>
        <select id="reassign-to" name="to" required>
          <option value="">请选择</option>
          ${handoverCandidates(view.ledger, r).map(
            (g) =>
              html`<optgroup label="${g.label}">
                ${g.people.map(
                  (p) =>
                    html`<option
                      value="${p.id}"
                      ${p.id === r.assigneeId ? html`disabled` : ''}
                      ${problem?.action === 'reassign' && problem.to === p.id ? html`selected` : ''}
                    >
                      ${p.name}（${p.role}${p.id === r.assigneeId ? '，现处理人' : ''}）
                    </option>`,
                )}
              </optgroup>`,
          )}
        </select>
        ${hidden()}
        <button class="primary" type="submit">转派</button>
      </form>`;

  const note = html`<form class="act" method="post" action="/admin/requests/${r.no}/note">
    <h3>内部备注</h3>
    ${alert('note')}
    <p class="muted small">只记在下面的处理经过里，不会发到群里，居民和楼长看不到。</p>
    <label for="staff-note">备注</label>
    ${noteArea(typed('note'))} ${hidden()}
    <button class="primary" type="submit">记下备注</button>
  </form>`;

  // A refusal of a form the page no longer shows (the request was closed meanwhile) is said above them.
  const orphan =
    closed && problem && problem.action !== 'note'
      ? html`<p class="error" role="alert">${problem.message}</p>`
      : '';
  return html`<section class="card" id="actions">
    <h2>街道操作</h2>
    ${orphan}
    ${closed ? html`<p class="muted small">#${r.no} ${closed}，不能再督办或转派，可以记内部备注。</p>` : ''}
    <div class="acts">${urge} ${reassign} ${note}</div>
  </section>`;
}

/** What a 督办 tells the handler, and where: the group, privately, or nowhere (call them). */
function urgePromise(reach: NoticeReach, group: string, handler: string | null, nowhere: string): string {
  const asked = handler ? `提醒处理人${handler}：街道在催办这件事` : '';
  if (!reach.group && !reach.privately) {
    return `${asked ? `${asked}。` : ''}${nowhere}：督办会记下${handler ? `，请电话告知${handler}` : ''}。`;
  }
  const where = reach.group ? `会发到${group}${reach.privately ? '并私信' : ''}` : '会私信告知';
  return `${asked ? `${asked}，` : ''}${where}。`;
}

/** The 督办 note goes with the notice, wherever that goes. */
function urgeNoteLabel(reach: NoticeReach): string {
  if (reach.group) return '说明（可不填，会发到群里）';
  return reach.privately ? '说明（可不填，会随私信发出）' : '说明（可不填）';
}

/** How the new handler hears of a 转派: @-ed in the group, privately, both, or not at all (call them). */
function reassignPromise(reach: NoticeReach, group: string, nowhere: string): string {
  if (reach.group) return `新处理人会在${group}里被@${reach.privately ? '，并收到私信' : ''}，请他接单。`;
  if (reach.privately) return '新处理人会收到私信，请他接单。';
  return `${nowhere}：转派会记下，请电话告知新处理人接单。`;
}

/**
 * The note's textarea, built outside any template: its content is its value, so the line breaks
 * formatting adds to a template (Prettier lays out html`` ones) must never reach it.
 */
function noteArea(value: string): Html {
  return new Html(
    `<textarea id="staff-note" name="note" rows="3" maxlength="${STAFF_NOTE_MAX}" required>${escapeHtml(value)}</textarea>`,
  );
}

const NOT_SENT = '没有可用的群机器人，也没有开通应用消息，请电话告知';

/** The line shown once after an action, read back from the event it wrote. */
export function confirmationOf(event: EventRow, view: ViewContext): string {
  const to = typeof event.data.to === 'string' ? event.data.to : null;
  const name = to === null ? null : (view.name(to) ?? to);
  const notified = event.data.notified !== false;
  if (event.type === URGED) {
    if (!notified) return `已记下督办，但通知没能发出：${NOT_SENT}`;
    return name ? `已督办，已通知${name}` : '已督办，已发到楼栋群';
  }
  if (event.type === STAFF_NOTE) return '已记下备注（不会发到群里）';
  if (!notified) return `已转派给${name ?? ''}，但通知没能发出：${NOT_SENT}`;
  return `已转派给${name ?? ''}`;
}
