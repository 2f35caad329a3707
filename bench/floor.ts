// Client (b) of the generator-cost benchmark: stock Artillery, no plugins,
// sending the same request mix as the suite's average test with bodies
// built once before the run (the framework's own floor). Each VU loops over
// a cycle of static requests whose per-endpoint shares are those the
// suite's run (c) just sent, with a think time before every request so the
// request rate matches (c)'s.
//
// What is static: the login is a challenge signed once (the twin, like HMP,
// accepts any correctly signed challenge); tokens are fetched once; the
// upload is one pre-encrypted CBOR body. The only processor function,
// floor-processor.ts `staticBody`, sets req.body to a pre-built CBOR body.
// The cost section runs it as a ladder of levels (floorLadder: two more
// functions, for when VUs think what and stop), and the fetch loop (a)
// sends the same requests (fetchPlan).
// Conversions use a stale task id (the twin answers 404 at once), so (b)
// downloads no audio where (c) downloads ~1 MB per conversion: (b) is a
// lower floor than a perfect copy would be, and (c)/(b) errs high.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as cborEncode } from 'cbor-x';
import { aesGcmEncrypt, PublicKeyCipher, signChallenge } from '../lib/hmp-crypto.ts';
import { TEST_TITLE_PREFIX, type TestData } from '../lib/test-data.ts';
import { fixturePdf } from './fixtures.ts';

type Who = 'student' | 'instructor' | 'none';

interface StaticRequest {
  method: 'get' | 'post';
  url: string;
  who: Who;
  json?: unknown;
  /** A CBOR body file in the run folder (set by staticBody). */
  cbor?: string;
}

export interface FloorMaterial {
  requests: Record<string, StaticRequest>;
  tokens: Record<Who, string | undefined>;
  bodies: Record<string, Buffer>;
}

/**
 * The answer of a GET, or of a POST when there is a body (a Buffer goes as
 * CBOR, anything else as JSON): parsed when it is JSON, else its bytes.
 * `who` starts the error message.
 */
export async function call(who: string, url: string, token: string | undefined, body?: unknown): Promise<any> {
  const method = body === undefined ? 'GET' : 'POST';
  const cbor = Buffer.isBuffer(body);
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': cbor ? 'application/cbor' : 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : cbor ? body : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${who}: ${method} ${new URL(url).pathname} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return res.headers.get('content-type')?.includes('json') ? res.json() : Buffer.from(await res.arrayBuffer());
}

/** A signed login body and a token for one account. */
export async function loginOnce(base: string, id: number, privateKeyHex: string): Promise<{ body: unknown; token: string }> {
  const { challenge } = await call('floor set-up', `${base}/auth/challenge`, undefined, { user_id: id });
  const body = { user_id: id, challenge, signature: await signChallenge(challenge, Buffer.from(privateKeyHex, 'hex')) };
  const { token } = await call('floor set-up', `${base}/auth/login`, undefined, body);
  return { body, token };
}

/** Everything (b) sends, fetched and built once. */
export async function prepareFloor(base: string, data: TestData): Promise<FloorMaterial> {
  const student = data.students.find((s) => s.project_ids.length > 0);
  const sub = data.submissions[0];
  const project = sub && data.projects.find((p) => p.id === sub.project_id);
  const instructor = project && data.instructors.find((i) => i.id === project.instructor_id);
  if (!student || !sub || !instructor) throw new Error('floor set-up: the test data needs a student with a project and a submission with its instructor');
  const projectId = student.project_ids[0]!;
  const s = await loginOnce(base, student.id, student.private_key);
  const i = await loginOnce(base, instructor.id, instructor.private_key);
  const { public_key } = await call('floor set-up', `${base}/submission/instructor_key?project_id=${projectId}`, s.token);
  const pdf = await fixturePdf(0); // the same paper (c) uploads
  const encrypted = await new PublicKeyCipher().encrypt(Buffer.from(public_key, 'base64'), pdf);
  const upload = Buffer.from(cborEncode({ project_id: projectId, title: `${TEST_TITLE_PREFIX}bench floor upload`, encrypted_content: encrypted }));
  const stale = '00000000-0000-4000-8000-000000000000';
  const execute = Buffer.from(cborEncode({ task_uuid: stale, speed: 140, encrypted_file: aesGcmEncrypt(Buffer.alloc(32, 7), pdf) }));
  return {
    tokens: { student: s.token, instructor: i.token, none: undefined },
    bodies: { submission_create: upload, pdf_execute: execute },
    requests: {
      auth_challenge: { method: 'post', url: '/auth/challenge', who: 'none', json: { user_id: student.id } },
      auth_login: { method: 'post', url: '/auth/login', who: 'none', json: s.body },
      project_list: { method: 'get', url: '/project/', who: 'student' },
      project_detail: { method: 'get', url: `/project/${projectId}`, who: 'student' },
      submission_instructor_key: { method: 'get', url: `/submission/instructor_key?project_id=${projectId}`, who: 'student' },
      submission_create: { method: 'post', url: '/submission/', who: 'student', cbor: 'submission_create' },
      submission_list: { method: 'get', url: '/submission/', who: 'instructor' },
      submission_hash: { method: 'get', url: `/submission/${sub.id}/hash`, who: 'instructor' },
      submission_content: { method: 'get', url: `/submission/${sub.id}/content`, who: 'instructor' },
      pdf_upload_key: { method: 'get', url: '/pdf-to-audio/upload-key', who: 'instructor' },
      pdf_execute: { method: 'post', url: '/pdf-to-audio/execute', who: 'instructor', cbor: 'pdf_execute' },
      pdf_status: { method: 'get', url: `/pdf-to-audio/conversion-status/${stale}`, who: 'instructor' },
      pdf_audio: { method: 'get', url: `/pdf-to-audio/converted-audio/${stale}`, who: 'instructor' },
    },
  };
}

/**
 * A cycle of request names with the shares of `counts` (pure): about `size`
 * long, every endpoint at least once, spread out by smooth weighted round robin.
 */
export function cycleOf(counts: Record<string, number>, size = 100): string[] {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  const want = entries.map(([name, n]) => ({ name, n: Math.max(1, Math.round((size * n) / total)) }));
  const len = want.reduce((a, w) => a + w.n, 0);
  const credit = new Map(want.map((w) => [w.name, 0]));
  const left = new Map(want.map((w) => [w.name, w.n]));
  const out: string[] = [];
  for (let k = 0; k < len; k++) {
    let best: string | undefined;
    for (const w of want) {
      if (left.get(w.name)! <= 0) continue;
      credit.set(w.name, credit.get(w.name)! + w.n);
      if (best === undefined || credit.get(w.name)! > credit.get(best)!) best = w.name;
    }
    credit.set(best!, credit.get(best!)! - len);
    left.set(best!, left.get(best!)! - 1);
    out.push(best!);
  }
  return out;
}

export interface FloorPlan {
  target: string;
  users: number;
  rampS: number;
  /** Think before every request (ms, +-50% jitter). */
  thinkMs: number;
  cycle: string[];
  /** Requests each VU sends before it leaves. */
  requestsPerVu: number;
  /** Scenarios, each the cycle started at another place, so VUs do not all send the same request at once. */
  rotations: number;
}

/** The stock Artillery script of (b) (pure): no plugins, one processor function for binary bodies. */
export function floorScript(plan: FloorPlan, material: Pick<FloorMaterial, 'requests' | 'tokens'>): Record<string, unknown> {
  const step = (name: string) => {
    const r = material.requests[name];
    if (!r) return [];
    const token = material.tokens[r.who];
    const spec: Record<string, unknown> = { url: r.url, name };
    if (token || r.cbor) {
      spec.headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(r.cbor ? { 'content-type': 'application/cbor' } : {}) };
    }
    if (r.json !== undefined) spec.json = r.json;
    if (r.cbor) spec.beforeRequest = 'staticBody';
    return [{ think: `${Math.max(1, Math.round(plan.thinkMs))}ms` }, { [r.method]: spec }];
  };
  const len = plan.cycle.length;
  const scenarios = Array.from({ length: plan.rotations }, (_, k) => {
    const offset = Math.floor((k * len) / plan.rotations);
    const names = Array.from({ length: plan.requestsPerVu }, (_, j) => plan.cycle[(offset + j) % len]!);
    return { name: `floor ${k + 1}`, weight: 1, flow: names.flatMap(step) };
  });
  return {
    config: {
      target: plan.target,
      processor: './processor.ts',
      phases: [{ name: 'floor users arrive', duration: plan.rampS, arrivalCount: plan.users }],
      http: { timeout: 30 },
      // Every think +-50%, as the suite's uniform 0.5-1.5 x the mean.
      defaults: { think: { jitter: '50%' } },
    },
    scenarios,
  };
}

/** A ladder of stock Artillery VUs: each level's new VUs arrive over `rampS`, then all are held `holdS`. */
export interface FloorLevel {
  users: number;
  rampS: number;
  holdS: number;
  /** Think before each request while at this level (ms, +-50%): the suite's per-user rate there. */
  thinkMs: number;
}

/** When the ladder's VUs think what, and when they stop: seconds from the first VU's arrival (floor-processor.ts reads it). */
export interface FloorSchedule {
  thinks: Array<{ fromS: number; thinkMs: number }>;
  endS: number;
}

export function floorSchedule(levels: readonly FloorLevel[]): FloorSchedule {
  let t = 0;
  const thinks = levels.map((l) => {
    const at = { fromS: t, thinkMs: Math.max(1, Math.round(l.thinkMs)) };
    t += l.rampS + l.holdS;
    return at;
  });
  return { thinks, endS: t };
}

/**
 * floorScript as a ladder (pure): VUs arrive level by level and stay, each
 * thinking the current level's time (floorStart, then floorLive before each
 * request sets it), until the schedule's end, when floorLive skips the rest
 * of their flow (1 ms thinks) and they leave. The flows must be long enough
 * for the first VUs (floorScript's requestsPerVu).
 */
export function floorLadder(script: Record<string, unknown>, levels: readonly FloorLevel[]): Record<string, unknown> {
  const s = script as { config: Record<string, unknown>; scenarios: Array<{ flow: Array<Record<string, any>> }> };
  let prev = 0;
  const phases = levels.flatMap((l) => {
    const p = [
      { name: `floor users arrive: ${l.users}`, duration: l.rampS, arrivalCount: l.users - prev },
      { name: `floor hold ${l.users} users`, pause: l.holdS },
    ];
    prev = l.users;
    return p;
  });
  const step = (st: Record<string, any>) => {
    if ('think' in st) return { think: '{{ floorThink }}' };
    const [method, spec] = Object.entries(st)[0]!;
    return { [method]: { ...spec, ifTrue: 'floorLive' } };
  };
  return {
    ...s,
    config: { ...s.config, phases },
    scenarios: s.scenarios.map((sc) => ({ ...sc, beforeScenario: 'floorStart', flow: sc.flow.map(step) })),
  };
}

/** Request names of `counts` that (b) cannot send statically. */
export function unsupported(counts: Record<string, number>, material: Pick<FloorMaterial, 'requests'>): string[] {
  return Object.keys(counts).filter((n) => counts[n]! > 0 && !material.requests[n]);
}

/** Writes the CBOR bodies next to the script; staticBody reads them from BENCH_FLOOR_BODIES. */
export function writeFloor(dir: string, script: Record<string, unknown>, material: FloorMaterial): string {
  writeBodies(dir, material);
  const path = join(dir, 'floor.json');
  writeFileSync(path, JSON.stringify(script, null, 2));
  return path;
}

function writeBodies(dir: string, material: Pick<FloorMaterial, 'bodies'>): void {
  for (const [name, body] of Object.entries(material.bodies)) writeFileSync(join(dir, `${name}.cbor`), body);
}

/** What the fetch loop (a) sends, in order, again and again: (b)'s requests, headers and bodies. */
export interface FetchPlan {
  origin: string;
  requests: Array<{ name: string; method: 'GET' | 'POST'; path: string; headers: Record<string, string>; json?: string; bodyFile?: string }>;
}

/** The fetch loop's plan (pure): the cycle's requests as (b) sends them (floorScript). */
export function fetchPlan(origin: string, cycle: readonly string[], material: Pick<FloorMaterial, 'requests' | 'tokens'>): FetchPlan {
  const requests = cycle.flatMap((name) => {
    const r = material.requests[name];
    if (!r) return [];
    const token = material.tokens[r.who];
    const headers: Record<string, string> = {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(r.cbor ? { 'content-type': 'application/cbor' } : r.json !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    return [{ name, method: r.method === 'get' ? ('GET' as const) : ('POST' as const), path: r.url, headers, ...(r.json !== undefined ? { json: JSON.stringify(r.json) } : {}), ...(r.cbor ? { bodyFile: `${r.cbor}.cbor` } : {}) }];
  });
  return { origin, requests };
}

/** Writes the fetch loop's plan and its CBOR bodies into `dir`; returns the plan's path. */
export function writeFetchPlan(dir: string, plan: FetchPlan, material: Pick<FloorMaterial, 'bodies'>): string {
  writeBodies(dir, material);
  const path = join(dir, 'fetch-plan.json');
  writeFileSync(path, JSON.stringify(plan));
  return path;
}
