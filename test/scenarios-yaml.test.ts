// The scenario files as data: the role mixes of the plan, names and hooks
// that exist, access rules respected, and the smoke test's coverage.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as processor from '../processors/index.ts';
import { ENDPOINTS } from '../processors/endpoints.ts';
import { PROFILES } from '../processors/profiles.ts';
import { ROOT } from './support/artillery-run.ts';

interface Scenario {
  name: string;
  weight?: number;
  beforeRequest?: string[];
  afterResponse?: string[];
  flow: Step[];
}
type Step = Record<string, any>;

function scenarios(file: string): Scenario[] {
  return (parse(readFileSync(join(ROOT, 'scenarios', file), 'utf8')) as { scenarios: Scenario[] }).scenarios;
}

interface Request {
  method: string;
  url: string;
  name: string;
  spec: Record<string, any>;
}

/** Every request and every processor function a flow names, through nested loops. */
function walk(flow: Step[], requests: Request[] = [], functions: string[] = []): { requests: Request[]; functions: string[] } {
  for (const step of flow) {
    if (step.loop) {
      if (step.whileTrue) functions.push(step.whileTrue);
      walk(step.loop, requests, functions);
    } else if (step.function) {
      functions.push(step.function);
    } else {
      const method = Object.keys(step)[0]!;
      const spec = step[method];
      requests.push({ method: method.toUpperCase(), url: spec.url, name: spec.name, spec });
      for (const key of ['ifTrue', 'beforeRequest', 'afterResponse']) if (spec[key]) functions.push(...[].concat(spec[key]));
    }
  }
  return { requests, functions };
}

const FILES = ['average-mix.yml', 'spike-mix.yml', 'smoke.yml'];

describe('role mixes (weights of Artillery scenarios)', () => {
  const shares = (file: string) => {
    const list = scenarios(file);
    const total = list.reduce((n, s) => n + (s.weight ?? 1), 0);
    return Object.fromEntries(list.map((s) => [s.name, (s.weight ?? 1) / total]));
  };
  test('average mix: 80% students, 20% instructors (plan 5.1)', () => {
    assert.deepEqual(shares('average-mix.yml'), { student: 0.8, instructor: 0.2 });
  });
  test('spike mix: 95% students, 5% instructors (plan 5.2)', () => {
    assert.deepEqual(shares('spike-mix.yml'), { spike_student: 0.95, spike_instructor: 0.05 });
  });
});

describe('every scenario file', () => {
  for (const file of FILES) {
    test(`${file}: a session loop; named requests, each with a check; functions the processor exports`, () => {
      for (const s of scenarios(file)) {
        assert.ok(PROFILES[s.name], `${file}: scenario ${s.name} has a session profile`);
        assert.deepEqual(s.beforeRequest, ['withTimeout', 'withToken', 'captureBinary']);
        assert.deepEqual(s.afterResponse, ['checkResponse']);
        assert.equal(s.flow.length, 1, 'the flow is one session loop');
        assert.equal(s.flow[0]!.whileTrue, 'userStaysOn');
        assert.equal(s.flow[0]!.loop[0].function, 'beginSession');
        assert.equal(s.flow[0]!.loop.at(-1).function, 'endSession');
        const { requests, functions } = walk(s.flow);
        for (const r of requests) {
          assert.ok(ENDPOINTS[r.name], `${file}: ${r.method} ${r.url} is named after a known endpoint (${r.name})`);
          assert.ok(r.spec.ifTrue, `${file}: ${r.name} is skipped once the session failed (ifTrue)`);
        }
        for (const f of [...functions, ...s.beforeRequest!, ...s.afterResponse!]) {
          assert.equal(typeof (processor as Record<string, unknown>)[f], 'function', `${file}: processors/index.ts exports ${f}`);
        }
      }
    });
  }
});

describe('access rules (HMP-API.md, "Access levels")', () => {
  // Students may not list submissions, read them, convert, or read the audit.
  const forbidden = [/^GET \/submission\/$/, /^GET \/submission\/[^/]+\/(hash|content)/, /^\w+ \/pdf-to-audio\//, /^\w+ \/audit\//];
  for (const file of ['average-mix.yml', 'spike-mix.yml']) {
    test(`${file}: student sessions call no endpoint a student may not`, () => {
      for (const s of scenarios(file).filter((x) => PROFILES[x.name]!.role === 'student')) {
        for (const r of walk(s.flow).requests) {
          const call = `${r.method} ${r.url}`;
          assert.ok(!forbidden.some((re) => re.test(call)), `${s.name} calls ${call}`);
        }
      }
    });
  }

  test('smoke: the student part (before actAsInstructor) calls nothing a student may not', () => {
    const loop = scenarios('smoke.yml')[0]!.flow[0]!.loop as Step[];
    const studentPart = loop.slice(0, loop.findIndex((st) => st.function === 'actAsInstructor'));
    for (const r of walk(studentPart).requests) assert.ok(!forbidden.some((re) => re.test(`${r.method} ${r.url}`)), r.url);
  });
});

describe('the smoke test covers the plan\'s critical endpoints (section 3)', () => {
  test('every one of them, both roles and the admin, in every session', () => {
    const s = scenarios('smoke.yml')[0]!;
    const { requests, functions } = walk(s.flow);
    const names = new Set(requests.map((r) => r.name));
    for (const name of [
      'auth_challenge', 'auth_login', 'project_list', 'project_detail', 'submission_instructor_key', 'submission_create',
      'submission_list', 'submission_hash', 'submission_content', 'credentials_public_key', 'pdf_upload_key', 'pdf_execute', 'audit_list',
    ]) assert.ok(names.has(name), `smoke requests ${name}`);
    for (const f of ['actAsStudent', 'actAsInstructor', 'actAsAdmin']) assert.ok(functions.includes(f), f);
    // Deterministic: nothing in the smoke profile is left to chance.
    for (const deck of [PROFILES.smoke!.projectDetails, PROFILES.smoke!.uploads, PROFILES.smoke!.submissionReads, PROFILES.smoke!.conversions]) {
      assert.equal(new Set(deck).size, 1);
      assert.ok(deck[0]! >= 1);
    }
  });
});
