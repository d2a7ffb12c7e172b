/**
 * Figures, goals and the printed report. A goal is a bound on the figure (≤ or ≥ a number); a
 * baseline, when there is one, is another figure measured in the same run, and the ratio is
 * printed next to it.
 */
export interface Goal {
  readonly op: '<=' | '>=';
  readonly value: number;
}

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal?: Goal;
  /** What the ratio is taken against, e.g. "pgbench INSERT tps". */
  readonly baseline?: { readonly name: string; readonly value: number; readonly goalRatio?: Goal };
  readonly note?: string;
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summarize(values: readonly number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function meets(value: number, goal: Goal): boolean {
  return goal.op === '<=' ? value <= goal.value : value >= goal.value;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const OP = { '<=': '≤', '>=': '≥' } as const;

/** Collects figures and correctness checks and prints them as they come and as a summary. */
export class Report {
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  figure(f: Figure): void {
    this.figures.push(f);
    this.write(`  ${describe(f)}`);
  }

  check(name: string, ok: boolean, detail: string): void {
    this.checks.push({ name, ok, detail });
    this.write(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  }

  note(line: string): void {
    this.write(`  ${line}`);
  }

  get missedGoals(): Figure[] {
    return this.figures.filter((f) => !goalMet(f));
  }

  get failedChecks(): Check[] {
    return this.checks.filter((c) => !c.ok);
  }

  summary(): string {
    const lines = ['', '== summary'];
    for (const f of this.figures) lines.push(`  ${mark(f)} ${describe(f)}`);
    for (const c of this.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    return lines.join('\n');
  }
}

/** "met ", "MISS", or "    " for a figure with no goal (a ladder rung, a second baseline). */
function mark(f: Figure): string {
  if (!f.goal && !f.baseline?.goalRatio) return '    ';
  return goalMet(f) ? 'met ' : 'MISS';
}

export function goalMet(f: Figure): boolean {
  if (f.goal && !meets(f.value, f.goal)) return false;
  if (f.baseline?.goalRatio && !meets(f.value / f.baseline.value, f.baseline.goalRatio)) return false;
  return true;
}

function describe(f: Figure): string {
  let s = `${f.name}: ${format(f.value)} ${f.unit}`;
  if (f.goal) s += ` (goal ${OP[f.goal.op]} ${format(f.goal.value)} ${f.unit})`;
  if (f.baseline) {
    const ratio = f.value / f.baseline.value;
    s += `; ${f.baseline.name} ${format(f.baseline.value)} ${f.unit}, ratio ${ratio.toFixed(2)}×`;
    if (f.baseline.goalRatio) s += ` (goal ${OP[f.baseline.goalRatio.op]} ${f.baseline.goalRatio.value}×)`;
  }
  if (f.note) s += ` — ${f.note}`;
  return s;
}
