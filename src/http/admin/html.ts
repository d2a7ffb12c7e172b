/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is already
 * Html, so a resident's `<script>` can only ever reach a page as text. There is deliberately no
 * way to mark an arbitrary string as safe other than {@link trustedHtml}, used for constants.
 */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: Interpolation): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(render).join('');
  // null, undefined and false render as nothing, so `${cond && html`…`}` reads naturally.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** For markup the code itself holds (CSS, SVG built from escaped parts); never for data. */
export function trustedHtml(text: string): Html {
  return new Html(text);
}

/**
 * Text shown with its line breaks (white-space: pre-wrap), built outside any template so that
 * formatting the source (Prettier lays out html`` templates) can never add blank lines to it.
 */
export function textBlock(tag: 'div' | 'span', text: string): Html {
  return new Html(`<${tag} class="text">${escapeHtml(text)}</${tag}>`);
}

/** A query string from the non-empty entries, for links that keep the current filters. */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '' || value === false) continue;
    search.set(key, value === true ? '1' : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A count as the pages write it: 1,234 (digits grouped, as on a bank statement). */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}
