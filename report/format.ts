// Number, time and verdict formatting shared by the HTML and Markdown
// renderers (pure; fixed locale so every report reads the same).
import type { Verdict } from './types.ts';

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtInt(n: number): string {
  return INT.format(n);
}

/** Up to `digits` decimals, no trailing zeros; "-" for null. */
export function fmtNum(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const f = 10 ** digits;
  const r = Math.round(n * f) / f;
  return Math.abs(r) >= 1000 ? new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(r) : String(r);
}

/** "36 s", "25 min", "3 h 5 min". */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '-';
  if (s < 120) return `${Math.round(s)} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** Elapsed time on the chart axis: "m:ss" or "h:mm:ss". */
export function fmtClock(s: number): string {
  const t = Math.round(Math.abs(s));
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const two = (x: number) => String(x).padStart(2, '0');
  const body = h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
  return s < 0 ? `-${body}` : body;
}

/** "2026-11-27 04:01:10 UTC" from an ISO time; "-" for null. */
export function fmtUtc(iso: string | null): string {
  if (!iso) return '-';
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

/** Time of day only: "04:01:10". */
export function fmtTimeOfDay(iso: string | null): string {
  return iso ? iso.slice(11, 19) : '-';
}

const OPS: Record<Verdict['op'], string> = { '<': '<', '<=': '≤', '==': '=', '>=': '≥' };

/** A percentage: 3 decimals below 1% (0.842%), 2 above (6.53%). */
export function fmtPct(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return `${fmtNum(n, Math.abs(n) < 1 ? 3 : 2)}%`;
}

export function fmtValue(n: number | null, unit: string): string {
  if (n === null) return 'not measured';
  if (unit === '%') return fmtPct(n);
  return unit ? `${fmtNum(n, 1)} ${unit}` : fmtInt(n);
}

export function fmtLimit(v: Verdict): string {
  if (v.limit === null) return '-';
  const value = v.unit === '%' ? `${fmtNum(v.limit, 3)}%` : v.unit ? `${fmtNum(v.limit, 3)} ${v.unit}` : fmtInt(v.limit);
  return `${OPS[v.op]} ${value}`;
}

export function fmtResult(pass: boolean | null): string {
  return pass === true ? 'PASS' : pass === false ? 'FAIL' : 'reported';
}

/** Status codes as "200: 1,234 · 500: 3". */
export function fmtCodes(codes: Record<string, number>): string {
  const entries = Object.entries(codes).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length ? entries.map(([k, v]) => `${k}: ${fmtInt(v)}`).join(' · ') : '-';
}
