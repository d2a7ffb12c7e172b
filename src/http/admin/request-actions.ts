import type { ParameterizedContext } from 'koa';
import type Router from 'koa-router';
import { recordAudit } from '../../audit';
import { findRequestByNo } from '../../requests/request-store';
import { actOnRequest, type StreetAction } from '../../requests/street-actions';
import { AppError } from '../../shared/errors';
import type { AppState } from '../app-state';
import { requestClientAddress } from '../client-address';
import { setConfirmation } from './action-flash';
import { ACTION_KINDS, type ActionKind } from './action-forms';
import type { AdminDeps } from './admin-context';
import { ACTION_FORM_LIMITS, readForm } from './form-body';
import { FORM_KEY, formExpired, pageFormAllowed } from './form-guard';
import { auditActor, staffOf } from './page-actor';
import { requestNo, respondRequestPage } from './request-pages';

/** A 督办 note is one line in a group notice: line breaks and runs of spaces become one space. */
function oneLine(text: string | null): string {
  return (text ?? '').replace(/\s+/gu, ' ').trim();
}

/** A note keeps its line breaks, in one form whatever the browser sent (CRLF). */
function multiLine(text: string | null): string {
  return (text ?? '').replace(/\r\n?/g, '\n').trim();
}

function actionOf(kind: ActionKind, form: URLSearchParams): StreetAction {
  switch (kind) {
    case 'urge':
      return { kind, note: oneLine(form.get('note')) };
    case 'reassign':
      return { kind, to: (form.get('to') ?? '').trim() };
    case 'note':
      return { kind, note: multiLine(form.get('note')) };
  }
}

/**
 * What the street office does about a request from its page: POST /admin/requests/:no/urge,
 * /reassign and /note. Each form is checked (same site, session, CSRF token) before anything is
 * read, then done once per form key (street-actions.ts) and answered with a redirect to the
 * request's page, which says once what was done. A refusal answers the page again with the reason
 * next to the form and what was typed kept; nothing is changed.
 */
export function addRequestActionRoutes(router: Router<AppState>, deps: AdminDeps): void {
  for (const kind of ACTION_KINDS) {
    router.post(`/requests/:no/${kind}`, async (ctx) => {
      await act(ctx, deps, kind);
    });
  }
}

async function act(ctx: ParameterizedContext<AppState>, deps: AdminDeps, kind: ActionKind): Promise<void> {
  const no = requestNo(ctx);
  const back = `/admin/requests/${no}`;
  const form = await readForm(ctx, ACTION_FORM_LIMITS);
  if (!pageFormAllowed(ctx, deps.keys, form)) {
    ctx.state.log.warn(
      { no, action: kind },
      'admin action: form without a session or a valid CSRF token (expired, or posted from elsewhere)',
    );
    formExpired(ctx, back);
    return;
  }
  const action = actionOf(kind, form);
  const formKey = form.get('_form') ?? '';
  if (!FORM_KEY.test(formKey)) {
    await refuse(ctx, deps, no, kind, action, 400, '这个表单不完整，请刷新页面后重新操作');
    return;
  }
  // pageFormAllowed made sure there is a session: who it names does this.
  const staff = staffOf(ctx) ?? { userId: null, name: null };
  const now = deps.clock.now();
  const address = requestClientAddress(ctx.req, deps.trustedProxies);
  const outcome = await actOnRequest(deps.dataSource, no, formKey, action, {
    ledger: await deps.ledgers.current(deps.dataSource),
    now,
    privateNotices: deps.privateNotices,
    pageLinks: deps.pageLinks,
    staff,
    record: (tx, event) =>
      recordAudit(tx, {
        at: now,
        action: kind,
        ...auditActor(staff),
        address,
        requestNo: no,
        // Codes and ids only: a note's text may hold a phone number, and stays in the timeline.
        detail: kind === 'reassign' ? { from: event.data.from ?? null, to: event.data.to ?? null } : {},
      }),
  });
  switch (outcome.kind) {
    case 'not_found':
      throw new AppError('not_found', `admin action: no request #${no}`);
    case 'refused':
      ctx.state.log.info({ no, action: kind }, 'admin action refused');
      await refuse(ctx, deps, no, kind, action, 422, outcome.problem);
      return;
    case 'repeat':
      ctx.state.log.info({ no, action: kind }, 'admin action: form sent again, already done');
      break;
    case 'done':
      ctx.state.log.info({ no, action: kind, queued: outcome.queued }, 'admin action');
      if (outcome.queued > 0) deps.onQueued?.();
      break;
  }
  setConfirmation(ctx, no, formKey);
  ctx.status = 303;
  ctx.redirect(back);
}

async function refuse(
  ctx: ParameterizedContext<AppState>,
  deps: AdminDeps,
  no: number,
  kind: ActionKind,
  action: StreetAction,
  status: number,
  message: string,
): Promise<void> {
  const request = await findRequestByNo(deps.dataSource, no);
  if (!request) throw new AppError('not_found', `admin action: no request #${no}`);
  ctx.status = status;
  await respondRequestPage(ctx, deps, request, {
    problem: {
      action: kind,
      message,
      ...(action.kind === 'reassign' ? { to: action.to } : { note: action.note }),
    },
  });
}
