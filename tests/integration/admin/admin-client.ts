import { ADMIN_TOKEN } from './admin-fixtures';

/** Who the sign-in form is told the person is: the form's `who` and `name` fields. */
export interface SignInAs {
  readonly who?: string;
  readonly name?: string;
}

export const AS_ZHOU_MIN: SignInAs = { who: 'zhou.m' };

/** A browser's view of the pages through fetch: one cookie jar, redirects not followed. */
export class AdminClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('Cookie', this.cookieHeader);
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** The page with its layout whitespace collapsed, so that assertions do not depend on line breaks. */
  async text(path: string): Promise<string> {
    const res = await this.fetch(path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    return squash(await res.text());
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /**
   * Shows the sign-in form, then posts it with its CSRF token, as a person would: by default as
   * 周敏 (zhou.m), a street admin of the example ledger; `as` picks another choice (`who`: a
   * userid, or ':other' with a typed `name`).
   */
  async signIn(token = ADMIN_TOKEN, next?: string, as: SignInAs = AS_ZHOU_MIN): Promise<Response> {
    const form = await this.fetch(`/admin/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    const page = await form.text();
    return this.post('/admin/login', { _csrf: csrfOf(page), next: nextOf(page), token, ...as });
  }
}

export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

function nextOf(page: string): string {
  return (/name="next" value="([^"]*)"/.exec(page)?.[1] ?? '').replace(/&amp;/g, '&');
}

/** Request numbers linked from a list page, in order, once each. */
export function listedNos(page: string): number[] {
  const nos = [...page.matchAll(/data-label="编号"\s*>\s*<a href="\/admin\/requests\/(\d+)"/g)].map((m) =>
    Number(m[1]),
  );
  return nos;
}

/** Runs of whitespace to one space, none just inside a tag's brackets (`</a\n>` → `</a>`). */
export function squash(page: string): string {
  return page
    .replace(/\s+/g, ' ')
    .replace(/\s+(\/?>)/g, '$1')
    .replace(/<\s+/g, '<');
}
