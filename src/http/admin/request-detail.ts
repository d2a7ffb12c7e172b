import type { PhotoSummary } from '../../photos';
import { maskPhones } from '../../requests/format';
import type { EventRow, RequestRow } from '../../requests/request-store';
import type { SentReminder } from '../../scheduler/reminder-log';
import { STAFF_NOTE } from '../../requests/street-actions';
import { html, type Html, textBlock } from './html';
import { escalationName, eventName, HAZARD_NAMES, RATING_NAMES } from './labels';
import { actorName } from './people';
import { badges, buildingLink, categoryOf, type ViewContext, whereOf } from './request-bits';

/** One request: what was asked, where, who has it, its clocks, photos, rating and timeline. */
export function requestDetail(
  r: RequestRow,
  events: readonly EventRow[],
  reminders: readonly SentReminder[],
  kept: readonly PhotoSummary[],
  view: ViewContext,
  more: {
    /** How many other requests the same resident made: linked by this request's number, never their id. */
    readonly reporterOthers?: number;
    /** What the street office can do about it (action-forms.ts); none without a session. */
    readonly actions?: Html | null;
    /** Said once after an action, at the top. */
    readonly confirmation?: string | null;
  } = {},
): Html {
  const { ledger, when } = view;
  const teams = r.teamIds.map((t) => ledger.document.teams.find((team) => team.id === t)?.name ?? t);
  const person = (id: string | null, fallback: string) => (id === null ? '—' : (view.name(id) ?? fallback));
  const fact = (label: string, value: Html | string) =>
    html`<dt>${label}</dt>
      <dd>${value}</dd>`;
  const building = r.buildingId
    ? buildingLink(ledger, r.buildingId, whereOf(ledger, r))
    : whereOf(ledger, r) || '—';
  return html`<p class="small"><a href="/admin/requests">← 返回诉求列表</a></p>
    ${more.confirmation ? html`<p class="notice done" role="status">${more.confirmation}</p>` : ''}
    <h1>#${r.no} ${categoryOf(ledger, r)} ${badges(r, view.now)}</h1>
    <div class="card">${textBlock('div', maskPhones(r.text))} ${photos(kept, r)}</div>
    <div class="grid2">
      <section class="card">
        <h2>基本情况</h2>
        <dl class="facts">
          ${fact('位置', building)}
          ${fact(
            '提交人',
            html`${person(r.reporterId, '居民')}${(more.reporterOthers ?? 0) > 0 ? html` · <a href="/admin/requests?reporter_of=${r.no}">其他诉求 ${more.reporterOthers} 条</a>` : ''}`,
          )}
          ${fact('处理人', person(r.assigneeId, r.assigneeId ?? '—'))}
          ${teams.length > 0 ? fact('协助队伍', teams.join('、')) : ''}
          ${r.hazard ? fact('紧急情况', HAZARD_NAMES[r.hazard] ?? r.hazard) : ''}
          ${fact('上报', escalationName(r.escalationLevel))}
          ${fact('议事会', r.council ? '已列入议事会议题' : '否')}
          ${r.reopenCount > 0 ? fact('重新打开', `${r.reopenCount} 次`) : ''}
        </dl>
      </section>
      <section class="card">
        <h2>时限</h2>
        <dl class="facts">
          ${fact('提交时间', when(r.createdAt))} ${fact('应接单', when(r.ackDueAt) || '—')}
          ${fact('接单时间', when(r.acknowledgedAt) || '尚未接单')}
          ${fact('应办结', when(r.resolveDueAt) || '—')} ${fact('办结时间', when(r.resolvedAt) || '尚未办结')}
          ${r.closedAt ? fact('完结时间', when(r.closedAt)) : ''}
          ${r.withdrawnAt ? fact('撤回时间', when(r.withdrawnAt)) : ''}
        </dl>
      </section>
    </div>
    ${more.actions ?? ''}
    <section class="card">
      <h2>评价</h2>
      ${rating(r)}
    </section>
    <section class="card">
      <h2>处理经过</h2>
      ${timeline(events, reminders, view)}
    </section>`;
}

function rating(r: RequestRow): Html {
  if (r.rating === null) return html`<p class="muted">尚未评价</p>`;
  return html`<p>
    <span class="badge ${r.rating === 'good' ? 'resolved' : 'open'}">${RATING_NAMES[r.rating]}</span>
    ${r.ratingNote ? html` ${textBlock('span', maskPhones(r.ratingNote))}` : ''}
  </p>`;
}

const PHOTO_PLACEHOLDERS = {
  pending: '照片保存中',
  expired: '照片未能保存（链接已过期）',
  failed: '照片未能保存',
  missing: '照片未保存',
} as const;

function placeholderOf(p: PhotoSummary): string {
  if (p.status === 'pending') return PHOTO_PLACEHOLDERS.pending;
  return p.expired ? PHOTO_PLACEHOLDERS.expired : PHOTO_PLACEHOLDERS.failed;
}

/**
 * Photos residents sent, with the post and after it, as Mulin kept them (src/photos): WeCom's own
 * links are encrypted and dead after 5 minutes, so they are never shown. A photo not kept (yet)
 * shows what became of it; the post's links that have no photo row (messages from before photos
 * were kept) count as not saved. Photos sent after the post always have their rows.
 */
function photos(kept: readonly PhotoSummary[], r: RequestRow): Html {
  const withPost = kept.filter((p) => p.inboundId === r.inboundId).length;
  const missing = Math.max(0, r.imageUrls.length - withPost);
  if (kept.length === 0 && missing === 0) return html``;
  const placeholder = (text: string) => html`<span class="photo-note">${text}</span>`;
  return html`<h2>照片</h2>
    <div class="photos">
      ${kept.map((p, i) =>
        p.status === 'kept'
          ? html`<a href="/admin/photos/${p.id}" target="_blank" rel="noopener noreferrer"
              ><img src="/admin/photos/${p.id}" alt="照片 ${i + 1}" data-label="照片 ${i + 1}" loading="lazy"
            /></a>`
          : placeholder(placeholderOf(p)),
      )}
      ${Array.from({ length: missing }, () => placeholder(PHOTO_PLACEHOLDERS.missing))}
    </div>`;
}

const REMINDER_NAMES: Record<SentReminder['stage'], string> = {
  ack_remind: '提醒接单',
  resolve_remind: '提醒办结',
};

const NOT_SENT = '未能送达：没有可用的群机器人，也没有开通应用消息';

function joinNotes(note: string | null, more: string): string {
  return note ? `${note}\n${more}` : more;
}

/** 转派给李秀兰: a hand-over names whom it went to (its event's data.to). */
function stepName(e: EventRow, view: ViewContext): string {
  const to = typeof e.data.to === 'string' ? e.data.to : null;
  if (e.type === 'assigned' && to) return `${eventName(e.type)}给${view.name(to) ?? to}`;
  return eventName(e.type);
}

/** What happened, oldest first: the request's events and the reminders the desk sent about it. */
function timeline(events: readonly EventRow[], reminders: readonly SentReminder[], view: ViewContext): Html {
  const steps = [
    ...events.map((e) => ({
      at: e.at,
      name: stepName(e, view),
      actor: e.actorId === null ? '系统' : (actorName(e, view.name) ?? '居民'),
      note: e.data.notified === false ? joinNotes(e.note, NOT_SENT) : e.note,
      internal: e.type === STAFF_NOTE,
    })),
    ...reminders.map((x) => ({
      at: x.at,
      name: REMINDER_NAMES[x.stage],
      actor: '系统',
      note: x.delivered ? null : NOT_SENT,
      internal: false,
    })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime()); // time order; ties keep events first
  if (steps.length === 0) return html`<p class="muted">暂无记录</p>`;
  return html`<ol class="timeline">
    ${steps.map(
      (step) =>
        html`<li>
          <span class="when">${view.when(step.at)}</span><strong>${step.name}</strong>
          <span class="muted">${step.actor}</span>
          ${step.internal ? html`<span class="badge">仅内部可见</span>` : ''}
          ${step.note ? textBlock('div', maskPhones(step.note)) : ''}
        </li>`,
    )}
  </ol>`;
}
