import { html, type Html } from './html';

/**
 * Charts drawn on the server as inline SVG: no script, no library, nothing fetched. Each chart
 * is drawn twice, a wide one for desks and a narrow one with larger type for phones; the
 * stylesheet shows one (see .chart in styles.ts). Numbers appear in a table beside every chart
 * too, for screen readers and for copying into a report.
 */

export const SERIES_COLOURS = ['#1f77b4', '#2ca02c', '#d62728', '#9aa5b1'] as const;

export interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly font: number;
  /** Label every nth category on the x axis. */
  readonly labelEvery: number;
}

const DESK: Frame = { width: 500, height: 240, font: 12, labelEvery: 1 };
const PHONE: Frame = { width: 360, height: 240, font: 12, labelEvery: 2 };
const M = { left: 40, right: 10, top: 14, bottom: 28 };

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * The top of a count axis: four equal whole-number steps from 0, the first at or above value,
 * so gridlines fall on whole requests (at least 4, so a quiet street still has a scale).
 */
export function niceMax(value: number): number {
  const quarter = Math.max(1, value / 4);
  const power = 10 ** Math.floor(Math.log10(quarter));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const step = m * power;
    if (Number.isInteger(step) && step >= quarter) return step * 4;
  }
  return 40 * power;
}

function axes(frame: Frame, labels: readonly string[], max: number, tick: (v: number) => string): Html {
  const plotH = frame.height - M.top - M.bottom;
  const plotW = frame.width - M.left - M.right;
  const step = plotW / labels.length;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ y: M.top + plotH * (1 - f), v: max * f }));
  return html`${ticks.map(
    (t) =>
      html`<line
          x1="${M.left}"
          x2="${frame.width - M.right}"
          y1="${t.y.toFixed(1)}"
          y2="${t.y.toFixed(1)}"
          stroke="#e1e7ed"
        /><text x="${M.left - 6}" y="${(t.y + 4).toFixed(1)}" text-anchor="end" fill="#66768a"
          >${tick(t.v)}</text
        >`,
  )}${labels.map((label, i) =>
    i % frame.labelEvery === (labels.length - 1) % frame.labelEvery
      ? html`<text
          x="${(M.left + step * (i + 0.5)).toFixed(1)}"
          y="${frame.height - 8}"
          text-anchor="middle"
          fill="#52606d"
          >${label}</text
        >`
      : '',
  )}`;
}

function svg(frame: Frame, title: string, body: Html, cls: string): Html {
  return html`<svg
    class="${cls}"
    viewBox="0 0 ${frame.width} ${frame.height}"
    role="img"
    aria-label="${title}"
    font-size="${frame.font}"
    font-family="sans-serif"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title>${title}</title>
    ${body}
  </svg>`;
}

function bars(
  frame: Frame,
  labels: readonly string[],
  series: readonly Series[],
  title: string,
  cls: string,
): Html {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const plotH = frame.height - M.top - M.bottom;
  const step = (frame.width - M.left - M.right) / labels.length;
  const barW = (step * 0.76) / series.length;
  const body = html`${axes(frame, labels, max, fmt)}${series.map((s, si) =>
    s.values.map((v, i) => {
      const h = ((v ?? 0) / max) * plotH;
      const x = M.left + step * i + step * 0.12 + barW * si;
      const y = M.top + plotH - h;
      return html`<rect
          x="${x.toFixed(1)}"
          y="${y.toFixed(1)}"
          width="${barW.toFixed(1)}"
          height="${h.toFixed(1)}"
          fill="${SERIES_COLOURS[si] ?? '#999'}"
          ><title>${labels[i] ?? ''} ${s.name} ${v ?? 0}</title></rect
        >${
          frame === DESK && v
            ? html`<text
                x="${(x + barW / 2).toFixed(1)}"
                y="${(y - 3).toFixed(1)}"
                text-anchor="middle"
                font-size="10"
                fill="#3e4c59"
                >${v}</text
              >`
            : ''
        }`;
    }),
  )}`;
  return svg(frame, title, body, cls);
}

function lines(
  frame: Frame,
  labels: readonly string[],
  series: readonly Series[],
  title: string,
  cls: string,
): Html {
  const plotH = frame.height - M.top - M.bottom;
  const step = (frame.width - M.left - M.right) / labels.length;
  const at = (i: number, v: number) => ({ x: M.left + step * (i + 0.5), y: M.top + plotH * (1 - v) });
  const body = html`${axes(frame, labels, 1, (v) => `${Math.round(v * 100)}%`)}${series.map((s, si) => {
    const colour = SERIES_COLOURS[si] ?? '#999';
    // A week with nothing due has no rate: the line breaks there rather than dip to zero.
    const runs: { x: number; y: number }[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) runs.push([]);
      else runs[runs.length - 1]?.push(at(i, v));
    });
    const paths = runs
      .filter((run) => run.length > 1)
      .map((run) => run.map((p, k) => `${k === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' '));
    return html`${paths.map((d) => html`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2" />`)}${s.values.map(
      (v, i) => {
        if (v === null) return '';
        const p = at(i, v);
        return html`<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="3.5" fill="${colour}"
          ><title>${labels[i] ?? ''} ${s.name} ${Math.round(v * 100)}%</title></circle
        >`;
      },
    )}`;
  })}`;
  return svg(frame, title, body, cls);
}

function legend(series: readonly Series[]): Html {
  return html`<div class="legend">
    ${series.map((s, i) => html`<span><i class="c${i}"></i>${s.name}</span>`)}
  </div>`;
}

/** Bars side by side per category (week), e.g. received and resolved. */
export function barChart(title: string, labels: readonly string[], series: readonly Series[]): Html {
  return html`<figure class="chart">
    ${bars(DESK, labels, series, title, 'desk')}${bars(PHONE, labels, series, title, 'phone')}${legend(series)}
  </figure>`;
}

/** Shares from 0 to 100%; null values (nothing to measure) leave a gap. */
export function rateChart(title: string, labels: readonly string[], series: readonly Series[]): Html {
  return html`<figure class="chart">
    ${lines(DESK, labels, series, title, 'desk')}${lines(PHONE, labels, series, title, 'phone')}${legend(series)}
  </figure>`;
}
