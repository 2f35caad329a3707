// The scenario files as data: the role mixes of the plan, names and hooks
// that exist, the role blocks' guards (access rules respected), and the
// smoke test's coverage.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as processor from '../processors/index.ts';
import { ENDPOINTS } from '../processors/endpoints.ts';
import { DOWNLOAD_STEPS } from '../processors/download.ts';
import { MIXES, PROFILES, mixNamed, profileNamed } from '../processors/profiles.ts';
import { newConversion } from '../processors/vars.ts';
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
const MIX_FILES = { 'average-mix.yml': 'average', 'spike-mix.yml': 'spike' } as const;

describe('role mixes: one scenario per file, roles dealt per VU from the mix (MIXES in processors/profiles.ts)', () => {
  /** Share of each profile in the scenario's mix, and the role each profile plays. */
  const shares = (file: string) => {
    const list = scenarios(file);
    assert.equal(list.length, 1, `${file}: one scenario; the roles are dealt per VU, not picked by Artillery`);
    assert.equal(list[0]!.weight, undefined, `${file}: no Artillery weight`);
    const mix = mixNamed(list[0]!.name);
    const total = Object.values(mix).reduce((a, b) => a + b, 0);
    return Object.fromEntries(Object.entries(mix).map(([profile, n]) => [`${profile} (${profileNamed(profile).role})`, n / total]));
  };
  test('average mix: 80% students, 20% instructors (plan 5.1)', () => {
    assert.equal(scenarios('average-mix.yml')[0]!.name, 'average');
    assert.deepEqual(shares('average-mix.yml'), { 'student (student)': 0.8, 'instructor (instructor)': 0.2 });
  });
  test('spike mix: 95% students, 5% instructors (plan 5.2)', () => {
    assert.equal(scenarios('spike-mix.yml')[0]!.name, 'spike');
    assert.deepEqual(shares('spike-mix.yml'), { 'spike_student (student)': 0.95, 'spike_instructor (instructor)': 0.05 });
  });
  test('smoke: one profile that plays every role', () => {
    assert.deepEqual(shares('smoke.yml'), { 'smoke (smoke)': 1 });
  });
});

describe('every scenario file', () => {
  for (const file of FILES) {
    test(`${file}: a session loop; named requests, each with a check; functions the processor exports`, () => {
      for (const s of scenarios(file)) {
        assert.ok(MIXES[s.name], `${file}: scenario ${s.name} has a role mix`);
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

/** The VU's vars in the states a session goes through, as a VU of `profile` would have them. */
function states(profile: string): Array<Record<string, unknown>> {
  const role = profileNamed(profile).role;
  const base = { sessionFailed: false, sessionLeft: false, $hmpYielded: false, profileName: profile, profile: PROFILES[profile], me: { id: 1, role, projectIds: [1] } };
  const out: Array<Record<string, unknown>> = [];
  for (const read of [undefined, { id: 1, hash: 'h', kind: 'hash' }, { id: 1, hash: 'h', kind: 'content' }]) {
    for (const stage of ['none', 'key', 'execute', 'poll', 'download', 'done']) {
      for (const version of [undefined, '1.0', '1.1']) out.push({ ...base, read, conv: { ...newConversion(), stage, version } });
    }
  }
  return out;
}

/** Whether a VU of `profile` can ever send this request (its ifTrue, evaluated like Artillery does). */
function runs(r: Request, profile: string, patch: Record<string, unknown> = {}): boolean {
  const guard = (processor as Record<string, unknown>)[r.spec.ifTrue] as (v: Record<string, unknown>) => boolean;
  return states(profile).some((v) => guard({ ...v, ...patch }) === true);
}

describe('the role blocks of the mixes are guarded by ifTrue (HMP-API.md, "Access levels")', () => {
  // Students may not list submissions, read them, convert, or read the audit; instructors cannot upload.
  const forbidden = [/^GET \/submission\/$/, /^GET \/submission\/[^/]+\/(hash|content)/, /^\w+ \/pdf-to-audio\//, /^\w+ \/audit\//];
  const instructorOnly = [...forbidden, /^GET \/credentials\/public-key$/]; // a step of the conversion
  const studentOnly = ['submission_instructor_key', 'submission_create'];
  const shared = ['auth_challenge', 'auth_login', 'project_list', 'project_detail'];
  for (const [file, mixName] of Object.entries(MIX_FILES)) {
    test(`${file}: students send no request a student may not, instructors none of the student block, both the login and browsing`, () => {
      const mix = mixNamed(mixName);
      const student = Object.keys(mix).find((p) => profileNamed(p).role === 'student')!;
      const instructor = Object.keys(mix).find((p) => profileNamed(p).role === 'instructor')!;
      const { requests } = walk(scenarios(file)[0]!.flow);
      for (const r of requests) {
        const call = `${r.method} ${r.url}`;
        const byStudent = runs(r, student);
        const byInstructor = runs(r, instructor);
        if (instructorOnly.some((re) => re.test(call))) assert.ok(!byStudent && byInstructor, `${r.name} (${call}): instructors only`);
        else if (studentOnly.includes(r.name)) assert.ok(byStudent && !byInstructor, `${r.name}: students only`);
        else if (shared.includes(r.name)) assert.ok(byStudent && byInstructor, `${r.name}: both roles`);
        else assert.fail(`${r.name} (${call}) is in no block this test knows`);
        assert.ok(!runs(r, student, { sessionFailed: true }) && !runs(r, instructor, { sessionFailed: true }), `${r.name} is skipped once the session failed`);
        assert.ok(!runs(r, student, { $hmpYielded: true }) && !runs(r, instructor, { $hmpYielded: true }), `${r.name} is skipped once the gate took the slot back`);
      }
      const functions = walk(scenarios(file)[0]!.flow).functions;
      assert.ok(functions.includes('thinkIfInstructor'), 'the instructor block opens with a think time of its own (function steps have no ifTrue)');
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
    // Binary downloads are function steps that fetch outside the engine (processors/download.ts).
    for (const [step, name] of Object.entries(DOWNLOAD_STEPS)) if (functions.includes(step)) names.add(name);
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
