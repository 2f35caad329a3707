// The Grafana dashboard of grafana/hmp-load.json as the tests read it: its
// panels' PromQL queries and the series selectors in them (metric name and
// label matchers), to check them against what a run publishes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './artillery-run.ts';

export const DASHBOARD = join(ROOT, 'grafana/hmp-load.json');

export interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
  instant?: boolean;
  format?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown; datasource?: { uid?: string } }> };
  [k: string]: unknown;
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
}

export interface Selector {
  name: string;
  /** label -> [operator, value] */
  labels: Record<string, [string, string]>;
}

/** Every series selector `name{label op "value", ...}` of a PromQL expression. */
export function selectorsOf(expr: string): Selector[] {
  const out: Selector[] = [];
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const labels: Selector['labels'] = {};
    for (const l of m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = [l[2]!, l[3]!];
    out.push({ name: m[1]!, labels });
  }
  return out;
}

/** Every query of the dashboard, with its panel. */
export function queriesOf(d: Dashboard): Array<{ panel: Panel; target: Target }> {
  return d.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
}

/** Whether a `metric` matcher names published series: "=" one that is, "=~" at least one it matches (anchored, as PromQL's). */
export function matcherProblems(d: Dashboard, published: Record<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const { panel, target } of queriesOf(d)) {
    for (const s of selectorsOf(target.expr)) {
      const values = published[s.name];
      if (!values) {
        problems.push(`"${panel.title}" queries ${s.name}, which the run did not publish`);
        continue;
      }
      const m = s.labels.metric;
      if (!m) continue;
      const [op, value] = m;
      if (op === '=' && !values.has(value)) problems.push(`"${panel.title}" queries ${s.name}{metric="${value}"}, which the run did not publish`);
      if (op === '=~' && ![...values].some((v) => new RegExp(`^(?:${value})$`).test(v))) problems.push(`"${panel.title}" queries ${s.name}{metric=~"${value}"}, which matches nothing the run published`);
    }
  }
  return problems;
}
