// junit.xml, what pipelines read (pure): one <testsuite> per test, one
// <testcase> per criterion of the plan (core/criteria.ts verdicts). A gated
// criterion that failed is a <failure> whose message is the console's line
// (formatVerdict); one the run did not judge (reported, not gated for this
// test, or not measured) is <skipped> with the same words, so a reader never
// counts it as a pass. A run that measured nothing (NO DATA) adds an <error>.
// The suite's file (suite/run/junit.ts) is built from the same pieces.
import { formatVerdict } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import type { Summary, Verdict } from './types.ts';

export const JUNIT_FILE = 'junit.xml';

export interface JunitCase {
  name: string;
  classname: string;
  result: 'pass' | 'failure' | 'error' | 'skipped';
  /** One line: the failure's, error's or skip's message. */
  message?: string;
  /** The failure's or error's type (a criterion id, a step status). */
  type?: string;
  /** Longer text: the failure's body, or the passing case's system-out. */
  detail?: string;
}

export interface JunitSuite {
  name: string;
  /** ISO 8601 UTC start, when known. */
  startedAt?: string | null;
  durationS?: number | null;
  properties?: Record<string, string | number | null | undefined>;
  cases: JunitCase[];
}

// XML 1.0 allows no control characters but tab, LF and CR, no lone surrogate and no U+FFFE/FFFF, even as a reference.
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Text for element content: anything from the results is untrusted; a CR as a reference, else a reader turns CR LF into LF. */
export function xmlText(s: unknown): string {
  return String(s).replace(INVALID, '\uFFFD').replace(/[&<>\r]/g, (c) => ENTITY[c]!);
}

/** Text for a quoted attribute value; tabs and line breaks as references, so a reader keeps them. */
export function xmlAttr(s: unknown): string {
  return String(s).replace(INVALID, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ENTITY[c]!);
}

const attrs = (a: Record<string, string | number | null | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(v)}"`)
    .join('');

/** The ant/Jenkins schema's timestamp: ISO 8601 without a zone (ours is UTC). */
const timestamp = (iso: string | null | undefined) => (iso && Number.isFinite(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 19) : undefined);
const count = (cases: JunitCase[], r: JunitCase['result']) => cases.filter((c) => c.result === r).length;

function caseXml(c: JunitCase): string {
  const head = `    <testcase${attrs({ name: c.name, classname: c.classname })}`;
  const body = c.detail ? xmlText(c.detail) : '';
  switch (c.result) {
    case 'pass':
      return c.detail ? `${head}>\n      <system-out>${body}</system-out>\n    </testcase>` : `${head}/>`;
    case 'skipped':
      return `${head}>\n      <skipped${attrs({ message: c.message })}/>\n    </testcase>`;
    default:
      return `${head}>\n      <${c.result}${attrs({ message: c.message, type: c.type })}>${body}</${c.result}>\n    </testcase>`;
  }
}

function suiteXml(s: JunitSuite): string {
  const a = { name: s.name, tests: s.cases.length, failures: count(s.cases, 'failure'), errors: count(s.cases, 'error'), skipped: count(s.cases, 'skipped'), time: s.durationS ?? 0, timestamp: timestamp(s.startedAt) };
  const props = Object.entries(s.properties ?? {}).filter(([, v]) => v !== null && v !== undefined);
  const lines = [`  <testsuite${attrs(a)}>`];
  if (props.length) lines.push('    <properties>', ...props.map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`), '    </properties>');
  lines.push(...s.cases.map(caseXml), '  </testsuite>');
  return lines.join('\n');
}

/** The whole document: <testsuites> with every suite's counts added up. */
export function junitXml(name: string, suites: JunitSuite[]): string {
  const all = suites.flatMap((s) => s.cases);
  const time = Math.round(suites.reduce((t, s) => t + (s.durationS ?? 0), 0) * 10) / 10;
  const head = `<testsuites${attrs({ name, tests: all.length, failures: count(all, 'failure'), errors: count(all, 'error'), skipped: count(all, 'skipped'), time })}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites.map(suiteXml), '</testsuites>', ''].join('\n');
}

/** One criterion as a test case: judged -> pass or failure; not judged -> skipped. */
export function verdictCase(v: Verdict, classname: string): JunitCase {
  const words = formatVerdict(v).replace(/\s+/g, ' ');
  const base = { name: v.name, classname };
  if (v.pass === false) return { ...base, result: 'failure', message: words, type: v.id, ...(v.note ? { detail: v.note } : {}) };
  if (v.pass === true) return { ...base, result: 'pass', detail: v.note ? `${words}: ${v.note}` : words };
  // "info ..." (reported, not gated) or "n/a ..." (not measured), and the note says why.
  return { ...base, result: 'skipped', message: v.note ? `${words}: ${v.note}` : words };
}

/** A run's test suite: its criteria (and its outcome when it measured nothing, or has no criterion). */
export function runSuite(s: Summary, name = s.test): JunitSuite {
  const classname = `hmp.${s.test}`;
  const cases = s.verdicts.map((v) => verdictCase(v, classname));
  // Nothing measured leaves every criterion skipped: the run itself is the error, so it never reads as green.
  if (s.outcome === 'NO DATA') cases.unshift({ name: 'outcome', classname, result: 'error', message: s.headline, type: s.outcome });
  else if (!cases.length) cases.push({ name: 'outcome', classname, result: 'pass', detail: s.headline });
  const properties = { outcome: s.outcome, headline: s.headline, target: s.run.target, timeScale: s.run.timeScale, tool: s.tool.version ? `hmp-load ${s.tool.version}${s.tool.commit ? ` (${s.tool.commit})` : ''}` : null };
  return { name, startedAt: s.run.startedAt, durationS: s.run.durationS, properties, cases };
}

/** A plain run's junit.xml. */
export function runJunit(s: Summary): string {
  return junitXml(`hmp-load ${s.test}`, [runSuite(s)]);
}
