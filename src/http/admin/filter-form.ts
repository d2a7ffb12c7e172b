import type { Ledger } from '../../ledger/ledger';
import type { Compound } from '../../ledger/schema';
import { STATUS_NAMES } from '../../requests/format';
import type { RequestOrder } from '../../requests/request-search';
import { REQUEST_STATUSES } from '../../requests/request-store';
import { html, type Html, queryString, trustedHtml } from './html';
import { defaultOrder, filterParams, type ListQuery, orderOf } from './list-filter';
import type { ViewContext } from './request-bits';

/**
 * The requests list's filter form. The pages have no script, so a select cannot follow another:
 * the 楼栋 and 处理人 choices follow the 小区 chosen when the form was last sent. A street small
 * enough lists every building and handler at once; a large one (2,000 buildings made every list
 * page 155 KB) asks for the 小区 first, and a building or a handler can still be typed in 搜索.
 */
export const MAX_OPTIONS = 300;

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}" ${value === (selected ?? '') ? trustedHtml(' selected') : ''}>
    ${label}
  </option>`;
}

function hint(label: string): Html {
  return html`<option value="" disabled>${label}</option>`;
}

function checkbox(name: string, label: string, checked: boolean | undefined): Html {
  return html`<label
    ><input type="checkbox" name="${name}" value="1" ${checked ? trustedHtml(' checked') : ''} />
    ${label}</label
  >`;
}

/** The compound the choices are for: the one chosen, else the chosen building's. */
function scopeOf(q: ListQuery, ledger: Ledger): Compound | undefined {
  if (q.compound) return ledger.compound(q.compound);
  return q.building ? ledger.placeOfBuilding(q.building)?.compound : undefined;
}

function buildingOptions(q: ListQuery, ledger: Ledger): Html[] {
  const scope = scopeOf(q, ledger);
  const buildings = ledger.allCompounds().reduce((n, c) => n + c.buildings.length, 0);
  const compounds = scope ? [scope] : buildings <= MAX_OPTIONS ? ledger.allCompounds() : [];
  const out = [option('', '全部楼栋', q.building)];
  for (const c of compounds) {
    out.push(
      html`<optgroup label="${c.name}">
        ${c.buildings.map((b) => option(b.id, `${c.name} ${b.name}`, q.building))}
      </optgroup>`,
    );
  }
  // A building of another compound (or one that left the ledger) stays chosen: the form shows
  // what the list was asked for, and the notice above it why nothing matches.
  if (q.building && !compounds.some((c) => c.buildings.some((b) => b.id === q.building))) {
    const names = ledger.buildingNames(q.building);
    out.push(option(q.building, names ? `${names.compound} ${names.building}` : q.building, q.building));
  }
  if (compounds.length === 0) out.push(hint('先选小区并筛选，再选楼栋'));
  return out;
}

interface Handler {
  readonly id: string;
  readonly label: string;
}

/** Who may have a compound's requests: its grid workers, building heads and unit heads. */
function compoundHandlers(c: Compound, ledger: Ledger): Handler[] {
  const out: Handler[] = c.grid_workers.map((id) => ({ id, label: `${ledger.nameOf(id)}（网格员）` }));
  for (const b of c.buildings) {
    if (b.head) out.push({ id: b.head, label: `${ledger.nameOf(b.head)}（${b.name}楼长）` });
    for (const u of b.units ?? []) {
      if (u.head) out.push({ id: u.head, label: `${ledger.nameOf(u.head)}（${b.name}${u.no}单元长）` });
    }
  }
  return out;
}

function handlerOptions(q: ListQuery, view: ViewContext): Html[] {
  const { ledger } = view;
  const scope = scopeOf(q, ledger);
  const street = {
    label: '街道',
    handlers: ledger.document.street.admins.map((id) => ({ id, label: `${ledger.nameOf(id)}（街道）` })),
  };
  let groups = (scope ? [scope] : ledger.allCompounds()).map((c) => ({
    label: c.name,
    handlers: compoundHandlers(c, ledger),
  }));
  // Too many to offer: the grid workers only, until a compound is chosen.
  const cut = groups.reduce((n, g) => n + g.handlers.length, 0) > MAX_OPTIONS;
  if (cut) {
    const gridWorkers = ledger
      .allCompounds()
      .flatMap((c) => c.grid_workers.map((id) => ({ id, label: `${ledger.nameOf(id)}（${c.name}网格员）` })));
    groups = [{ label: '网格员', handlers: gridWorkers }];
  }
  groups.push(street);
  // Someone with two roles is offered once, under the first.
  const seen = new Set<string>();
  const out = [option('', '全部处理人', q.assignee)];
  for (const group of groups) {
    const handlers = group.handlers.filter((h) => !seen.has(h.id) && seen.add(h.id));
    if (handlers.length === 0) continue;
    out.push(
      html`<optgroup label="${group.label}">
        ${handlers.map((h) => option(h.id, h.label, q.assignee))}
      </optgroup>`,
    );
  }
  if (q.assignee && !seen.has(q.assignee)) {
    out.push(option(q.assignee, view.name(q.assignee) ?? q.assignee, q.assignee));
  }
  if (cut) out.push(hint('选小区并筛选后，可选楼长、单元长'));
  return out;
}

const ORDER_NAMES: Record<RequestOrder, string> = {
  newest: '最新提交',
  oldest: '最早提交',
  overdue: '超时最久',
};

/**
 * The default order is the empty choice, so ticking 超时 and pressing 筛选 (the form sends the
 * sort too) gives 超时最久 without touching the sort; another order is asked for by name.
 */
function sortOptions(q: ListQuery): Html[] {
  const fallback = defaultOrder(q);
  const chosen = orderOf(q);
  const orders = Object.keys(ORDER_NAMES) as RequestOrder[];
  return [
    option('', ORDER_NAMES[fallback], chosen === fallback ? '' : chosen),
    ...orders.filter((o) => o !== fallback).map((o) => option(o, ORDER_NAMES[o], chosen)),
  ];
}

export function filterForm(q: ListQuery, view: ViewContext): Html {
  const { ledger } = view;
  // A plain link, no `download` attribute: the CSV's Content-Disposition already saves it, and
  // what is not a CSV (the sign-in page after the session ended, the page asking to narrow the
  // filters) must be shown, not saved as the file.
  const exportHref = `/admin/requests.csv${queryString(filterParams(q))}`;
  return html`<form class="card filters" method="get" action="/admin/requests" role="search">
    <label
      >状态<select name="status">
        ${option('', '全部', q.status)}${option('active', '进行中（待接单和处理中）', q.status)}${REQUEST_STATUSES.map((s) => option(s, STATUS_NAMES[s], q.status))}
      </select></label
    >
    <label
      >小区<select name="compound">
        ${option('', '全部小区', q.compound)}${ledger.allCompounds().map((c) => option(c.id, c.name, q.compound))}
      </select></label
    >
    <label
      >楼栋<select name="building">
        ${buildingOptions(q, ledger)}
      </select></label
    >
    <label
      >分类<select name="category">
        ${option('', '全部分类', q.category)}${ledger.categories.categories.map((c) => option(c.code, c.name, q.category))}
      </select></label
    >
    <label
      >处理人<select name="assignee">
        ${handlerOptions(q, view)}
      </select></label
    >
    <label
      >排序<select name="sort">
        ${sortOptions(q)}
      </select></label
    >
    <label class="wide"
      >搜索<input
        type="search"
        name="q"
        value="${q.q ?? ''}"
        maxlength="50"
        placeholder="内容、编号、楼栋或处理人"
    /></label>
    ${q.reporter_of === undefined ? '' : html`<input type="hidden" name="reporter_of" value="${q.reporter_of}" />`}
    <div class="checks">
      ${checkbox('overdue', '超时', q.overdue)}${checkbox('escalated', '已上报', q.escalated)}${checkbox('council', '议事会议题', q.council)}
    </div>
    <div class="actions">
      <button class="primary" type="submit">筛选</button
      ><a class="button light" href="/admin/requests">清除</a
      ><a class="button light" href="${exportHref}">导出 CSV</a>
    </div>
  </form>`;
}
