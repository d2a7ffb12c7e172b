import { html, type Html, trustedHtml } from './html';
import { ADMIN_CSS } from './styles';

// Outside the template: the CSP allows exactly these bytes by hash (styles.ts).
const STYLE_ELEMENT = trustedHtml(`<style>${ADMIN_CSS}</style>`);

export type Section = 'requests' | 'ledger' | 'figures' | 'audit';

const SECTIONS: readonly [Section, string, string][] = [
  ['requests', '诉求', '/admin/requests'],
  ['ledger', '台账', '/admin/ledger'],
  ['figures', '周报数据', '/admin/figures'],
  ['audit', '操作记录', '/admin/audit'],
];

export interface PageOptions {
  /**
   * Shown in the tab, history and bookmarks: names a page kind or a request number only,
   * never what a resident wrote.
   */
  readonly title: string;
  readonly section?: Section;
  /** The sign-out form's CSRF token; absent when signed in with the bearer token (no session). */
  readonly signOutCsrf?: string;
  /** Who signed in, shown next to 退出 (with the sign-out form only). */
  readonly signedInAs?: string;
  readonly body: Html;
}

export function page(options: PageOptions): Html {
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        <link rel="icon" href="data:," />
        <title>${options.title} · 睦邻</title>
        ${STYLE_ELEMENT}
      </head>
      <body>
        ${options.section ? header(options.section, options.signOutCsrf, options.signedInAs) : ''}
        <main>${options.body}</main>
      </body>
    </html> `;
}

function header(section: Section, csrf: string | undefined, who: string | undefined): Html {
  return html`<header class="top">
    <div class="in">
      <a class="brand" href="/admin/requests">睦邻 · 街道工作台</a>
      <nav>
        ${SECTIONS.map(
          ([key, label, href]) =>
            html`<a href="${href}" ${key === section ? trustedHtml(' class="on" aria-current="page"') : ''}
              >${label}</a
            >`,
        )}
      </nav>
      ${
        csrf === undefined
          ? ''
          : html`<div class="me">
              ${who === undefined ? '' : html`<span class="who" title="${who}">${who}</span>`}
              <form method="post" action="/admin/logout">
                <input type="hidden" name="_csrf" value="${csrf}" /><button type="submit">退出</button>
              </form>
            </div>`
      }
    </div>
  </header>`;
}

/** A status page (not found, form expired…) in the same frame. */
export function messagePage(title: string, message: string, back: { href: string; label: string }): Html {
  return page({
    title,
    body: html`<div class="card login">
      <h1>${title}</h1>
      <p>${message}</p>
      <p><a class="button" href="${back.href}">${back.label}</a></p>
    </div>`,
  });
}
