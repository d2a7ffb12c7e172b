import type { Context } from 'koa';
import type Router from 'koa-router';
import { recordAudit } from '../../audit';
import type { Ledger } from '../../ledger/ledger';
import type { AppState } from '../app-state';
import { requestClientAddress } from '../client-address';
import { safeNext, sessionBinding } from './admin-auth';
import type { AdminDeps } from './admin-context';
import { isCrossSite, readForm } from './form-body';
import { formExpired } from './form-guard';
import { html } from './html';
import { page } from './layout';
import { auditActor } from './page-actor';
import { LOGIN_COOKIE, SESSION_COOKIE, SESSION_HOURS, SessionKeys } from './session';
import { readStaffChoice, type StaffChoice, staffFields, streetAdmins } from './sign-in-staff';
import { type SignInThrottle, tooManyMessage, warnIfTripped } from './sign-in-throttle';

const LOGIN_PATH = '/admin/login';
const NO_CHOICE: StaffChoice = { who: '', name: '' };

/**
 * Sign-in and sign-out, mounted before the session check: sign-in has no session yet, and
 * signing out of an expired session should still just land on the sign-in page. Signing in asks
 * who the person is (a street admin of the ledger, or 其他 and a name): the session carries it, so
 * what they do is done in their name, and each sign-in, failed ones too, goes in the audit log.
 */
export function addLoginRoutes(router: Router<AppState>, deps: AdminDeps, throttle: SignInThrottle): void {
  const { keys, clock } = deps;
  router.get('/login', async (ctx) => {
    const next = safeNext(ctx.query.next);
    if (keys.verify(ctx.cookies.get(SESSION_COOKIE), clock.now())) {
      ctx.redirect(next);
      return;
    }
    showLoginForm(ctx, keys, await deps.ledgers.current(deps.dataSource), next, null, NO_CHOICE);
  });

  router.post('/login', async (ctx) => {
    const form = await readForm(ctx);
    const next = safeNext(form.get('next'));
    const nonce = ctx.cookies.get(LOGIN_COOKIE);
    // A second sign-in tab, sent after the first signed in (which cleared the login cookie): go on.
    if (!isCrossSite(ctx) && keys.verify(ctx.cookies.get(SESSION_COOKIE), clock.now())) {
      ctx.status = 303;
      ctx.redirect(next);
      return;
    }
    if (isCrossSite(ctx) || !keys.checkCsrf(nonce && `login:${nonce}`, form.get('_csrf') ?? undefined)) {
      ctx.state.log.warn(
        'admin sign-in: form without a valid CSRF token (expired, or posted from elsewhere)',
      );
      formExpired(ctx, `${LOGIN_PATH}?next=${encodeURIComponent(next)}`);
      return;
    }
    const token = form.get('token') ?? '';
    const choice: StaffChoice = { who: form.get('who') ?? '', name: form.get('name') ?? '' };
    const ledger = await deps.ledgers.current(deps.dataSource);
    const chosen = readStaffChoice(ledger, choice, token);
    if (!chosen.ok) {
      // The token is not tried: nothing is counted, and the answer says nothing about it.
      ctx.state.log.info('admin sign-in: refused, no acceptable name given');
      ctx.status = 422;
      showLoginForm(ctx, keys, ledger, next, chosen.problem, chosen.shown);
      return;
    }
    const staff = chosen.staff;
    const at = clock.now();
    const address = requestClientAddress(ctx.req, deps.trustedProxies);
    const verdict = await throttle.attempt(
      ctx,
      () => keys.isAdminToken(token),
      (tx, outcome) => {
        const right = outcome === 'right';
        // A name that is the token itself (typed in the wrong box, with a wrong token in the
        // other) is never written down; readStaffChoice kept it out of the right sign-ins.
        const named = right || !keys.isAdminToken(staff.name);
        return recordAudit(tx, {
          at,
          action: right ? 'sign_in' : 'sign_in_failed',
          ...(named ? auditActor(staff) : { actorId: null, actorName: null }),
          address,
          detail: right ? {} : { reason: 'wrong_token' },
        });
      },
    );
    if (verdict.outcome === 'refused') {
      ctx.state.log.debug('admin sign-in: refused, too many failed attempts');
      ctx.status = 429;
      ctx.set('Retry-After', String(verdict.retryAfterS));
      showLoginForm(ctx, keys, ledger, next, tooManyMessage(verdict.retryAfterS), choice);
      return;
    }
    if (verdict.outcome === 'wrong') {
      ctx.state.log.warn('admin sign-in: wrong token');
      warnIfTripped(ctx.state.log, verdict);
      ctx.status = 401;
      // The name is shown again whatever it is: leaving out one that is the token would tell
      // that a guess typed into the name box was right (the audit entry leaves it out, unseen).
      showLoginForm(ctx, keys, ledger, next, '口令不对，请重新输入', choice);
      return;
    }
    const { cookie } = keys.issue(at, staff);
    ctx.cookies.set(SESSION_COOKIE, cookie, {
      httpOnly: true,
      // Lax, not Strict: a link to a request pasted in a WeCom chat must open signed in. Every
      // state change is a POST with a CSRF token, which Lax does not send cross-site anyway.
      sameSite: 'lax',
      secure: ctx.secure,
      path: '/',
      maxAge: SESSION_HOURS * 3600_000,
      overwrite: true,
    });
    ctx.cookies.set(LOGIN_COOKIE, '', { path: LOGIN_PATH, maxAge: 0, overwrite: true });
    ctx.state.log.info({ staff: staff.userId ?? 'typed name' }, 'admin sign-in');
    ctx.status = 303;
    ctx.redirect(next);
  });

  router.post('/logout', async (ctx) => {
    const form = await readForm(ctx);
    // Refused before the session is looked at: SameSite=Lax keeps the cookie off a cross-site
    // post, so a check that waits for a session would never run for one.
    if (isCrossSite(ctx)) {
      ctx.state.log.warn('admin sign-out: form posted from another site');
      formExpired(ctx, '/admin/requests');
      return;
    }
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    const session = keys.verify(cookie, clock.now());
    if (session && !keys.checkCsrf(sessionBinding(session), form.get('_csrf') ?? undefined)) {
      ctx.state.log.warn('admin sign-out: form without a valid CSRF token');
      formExpired(ctx, '/admin/requests');
      return;
    }
    // A valid session is cleared only with its token (above); an expired or broken cookie is
    // worthless and goes too. No cookie sent, nothing cleared: a browser without Fetch Metadata
    // posting from another site withholds it, and must not sign the person out.
    if (cookie) {
      ctx.cookies.set(SESSION_COOKIE, '', { path: '/', maxAge: 0, overwrite: true, httpOnly: true });
    }
    ctx.status = 303;
    ctx.redirect(LOGIN_PATH);
  });
}

const NONCE = /^[A-Za-z0-9_-]{22}$/;

function showLoginForm(
  ctx: Context,
  keys: SessionKeys,
  ledger: Ledger,
  next: string,
  problem: string | null,
  choice: StaffChoice,
): void {
  // The CSRF token is bound to this browser's login cookie. A nonce already there is kept: a
  // fresh one per form would make every other sign-in tab's form stale (页面已过期).
  const given = ctx.cookies.get(LOGIN_COOKIE);
  const nonce = given && NONCE.test(given) ? given : SessionKeys.loginNonce();
  ctx.cookies.set(LOGIN_COOKIE, nonce, {
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: LOGIN_PATH,
    maxAge: 3600_000,
    overwrite: true,
  });
  ctx.type = 'html';
  ctx.body = page({
    title: '登录',
    body: html`<form class="card login" method="post" action="${LOGIN_PATH}">
      <h1>睦邻 · 街道工作台</h1>
      <p class="muted small">请选择您是谁，再输入街道管理口令。您在这里的操作会记下您的名字。</p>
      ${problem === null ? '' : html`<p class="error" role="alert">${problem}</p>`}
      <input type="hidden" name="_csrf" value="${keys.csrfToken(`login:${nonce}`)}" />
      <input type="hidden" name="next" value="${next}" />
      ${staffFields(streetAdmins(ledger), choice)}
      <label for="token">管理口令</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required />
      <button class="primary" type="submit">登录</button>
    </form>`,
  }).text;
}
