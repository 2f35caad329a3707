// A small typed client for the HMP API (HMP-API.md) over global fetch, for the
// set-up tools and tests. Every call either returns the documented shape or
// throws one of: HmpHttpError (the server answered, but not with success),
// HmpUnreachableError (no connection), HmpTimeoutError (no answer in time).
import { encode } from 'cbor-x';
import { signChallenge } from './hmp-crypto.ts';
import type { AccountRecord, ProjectRecord } from './test-data.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

/** The server answered, but not with success. `endpoint` is "METHOD /path". */
export class HmpHttpError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly endpoint: string;
  /** Status carried inside a 200 body (the upload quirk: `[{"error": ...}, 400]`). */
  readonly bodyStatus: number | undefined;

  constructor(status: number, detail: string, endpoint: string, bodyStatus?: number) {
    const shown = bodyStatus === undefined ? `${status}` : `${status} with an error list saying ${bodyStatus}`;
    super(`${endpoint} answered ${shown}: ${detail}`);
    this.name = 'HmpHttpError';
    this.status = status;
    this.detail = detail;
    this.endpoint = endpoint;
    this.bodyStatus = bodyStatus;
  }
}

/** No HTTP answer at all: refused, unknown host, reset before a response. */
export class HmpUnreachableError extends Error {
  readonly target: string;
  readonly endpoint: string;
  readonly code: string;

  constructor(target: string, endpoint: string, code: string) {
    super(`the target ${target} is not reachable (${endpoint}: ${code})`);
    this.name = 'HmpUnreachableError';
    this.target = target;
    this.endpoint = endpoint;
    this.code = code;
  }
}

/** The request was sent but no complete answer came within the timeout. */
export class HmpTimeoutError extends Error {
  readonly target: string;
  readonly endpoint: string;
  readonly timeoutMs: number;

  constructor(target: string, endpoint: string, timeoutMs: number) {
    super(`the target ${target} did not answer ${endpoint} within ${timeoutMs / 1000} s`);
    this.name = 'HmpTimeoutError';
    this.target = target;
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
  }
}

// --- shapes (HMP-API.md, "Endpoints") ---

/** What POST /admin/load-test/up answers: the accounts and projects, as the test data file records them. */
export interface LoadTestFixture {
  students: AccountRecord[];
  instructors: AccountRecord[];
  projects: ProjectRecord[];
}

export interface NewUser {
  name: string;
  surname: string;
  email: string;
  confidentiality_level: number;
  integrity_levels: number[];
  /** base64 of the 32-byte Ed25519 public key. */
  public_key: string;
  /** ISO 8601. */
  expires_at: string;
}

export interface UserSummary {
  id: number;
  full_name: string;
}

export interface NewProject {
  title: string;
  syllabus_summary: string;
  description: string;
  instructor_email: string;
  /** ISO 8601. */
  deadline: string;
}

export interface ProjectSummary {
  id: number;
  title: string;
  instructor_full_name: string;
  deadline: string;
}

export interface SubmissionSummary {
  id: number;
  title: string;
  student_name: string;
  instructor_name: string;
  submitted_at: string;
  content_hash: string;
}

export interface HmpClientOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Bearer token for authenticated calls (set by login()). */
  token?: string;
}

type Body = { json: unknown } | { cbor: unknown } | undefined;

/** Turns a URL given by a person into the base the client uses (no trailing slash). */
export function normalizeBaseUrl(raw: string): string {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`the target must be an http:// or https:// URL, got "${raw}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** The readable reason inside an error body: FastAPI's `detail`, else the text. */
export function errorDetail(text: string): string {
  const trimmed = text.trim();
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'detail' in parsed) {
      const detail = (parsed as { detail: unknown }).detail;
      return typeof detail === 'string' ? detail : JSON.stringify(detail);
    }
    if (typeof parsed === 'string') return parsed;
  } catch {
    // not JSON: plain text (unhandled errors) or HTML from a gateway
  }
  const oneLine = trimmed.replace(/\s+/g, ' ');
  if (oneLine === '') return '(empty body)';
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine;
}

/**
 * Classifies the body of a 200 answer to POST /submission/. Success is an
 * object with an integer `id`; the quirk `[{"error": "..."}, 400]` and every
 * other shape are failures, returned as {detail, bodyStatus}.
 */
export function classifyUploadBody(body: unknown): { id: number } | { detail: string; bodyStatus: number | undefined } {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const id = (body as { id?: unknown }).id;
    if (typeof id === 'number' && Number.isInteger(id)) return { id };
    return { detail: `the answer has no integer id: ${JSON.stringify(body).slice(0, 200)}`, bodyStatus: undefined };
  }
  if (Array.isArray(body)) {
    const error = (body[0] as { error?: unknown } | null | undefined)?.error;
    const detail = typeof error === 'string' ? error : JSON.stringify(body).slice(0, 200);
    return { detail, bodyStatus: typeof body[1] === 'number' ? body[1] : undefined };
  }
  return { detail: `the answer is not an object with an id: ${JSON.stringify(body)?.slice(0, 200)}`, bodyStatus: undefined };
}

/** The most telling reason inside fetch's "fetch failed": an errno code, else the innermost message. */
export function causeCode(err: unknown): string {
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (e instanceof Error && e.message) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  if (message === 'bad port') return 'fetch refuses this port: it is on the fetch standard\'s list of blocked ports';
  return message;
}

/** A connection closed under a request before any answer: the keep-alive race above. */
const CLOSED_WHEN_REUSED = /^(ECONNRESET|EPIPE)$|other side closed/;

export class HmpClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  token: string | undefined;

  constructor(baseUrl: string, options: HmpClientOptions = {}) {
    this.baseUrl = normalizeBaseUrl(baseUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.token = options.token;
  }

  /** A client for the same target and timeout, holding another token. */
  withToken(token: string | undefined): HmpClient {
    return new HmpClient(this.baseUrl, { timeoutMs: this.timeoutMs, token });
  }

  // --- transport ---

  /** Sends and reads the whole answer; throws HmpHttpError for non-2xx. */
  async #exchange(method: string, path: string, body: Body, endpoint: string): Promise<{ status: number; bytes: Buffer }> {
    const headers: Record<string, string> = {};
    let payload: Uint8Array | string | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body && 'cbor' in body) {
      headers['content-type'] = 'application/cbor';
      payload = encode(body.cbor);
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response | undefined;
    let bytes = Buffer.alloc(0);
    // No answer, or the body broke off: the same two errors. A kept-alive
    // connection the server closed as idle just as it was reused (uvicorn
    // closes them at 5 s, undici keeps them 4 s) is closed before any answer:
    // the request was never handled, so it goes once more, on a new connection.
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs) });
        bytes = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        if (timedOut) throw new HmpTimeoutError(this.baseUrl, endpoint, this.timeoutMs);
        const code = causeCode(err);
        if (attempt === 1 && !res && CLOSED_WHEN_REUSED.test(code)) continue;
        throw new HmpUnreachableError(this.baseUrl, endpoint, code);
      }
    }
    if (res.status < 200 || res.status > 299) {
      throw new HmpHttpError(res.status, errorDetail(bytes.toString('utf8')), endpoint);
    }
    return { status: res.status, bytes };
  }

  /** The answer as JSON, with its status; throws HmpHttpError when it is not JSON. */
  async #parsed(method: string, path: string, body: Body, endpoint: string): Promise<{ status: number; value: unknown }> {
    const { status, bytes } = await this.#exchange(method, path, body, endpoint);
    try {
      return { status, value: JSON.parse(bytes.toString('utf8')) };
    } catch {
      throw new HmpHttpError(status, `the answer is not JSON: ${errorDetail(bytes.toString('utf8'))}`, endpoint);
    }
  }

  async #json<T>(method: string, path: string, body: Body, endpoint = `${method} ${path.split('?')[0]}`): Promise<T> {
    return (await this.#parsed(method, path, body, endpoint)).value as T;
  }

  /** A string field of the answer; HmpHttpError "the answer has no <what>" when it is missing. */
  async #string(method: string, path: string, body: Body, field: string, what: string, endpoint = `${method} ${path.split('?')[0]}`): Promise<string> {
    const value = (await this.#json<Record<string, unknown>>(method, path, body, endpoint))[field];
    if (typeof value !== 'string') throw new HmpHttpError(200, `the answer has no ${what}`, endpoint);
    return value;
  }

  /** The integer `id` of the answer (a created user or project). */
  async #id(path: string, json: unknown): Promise<number> {
    const endpoint = `POST ${path}`;
    const value = await this.#json<unknown>('POST', path, { json }, endpoint);
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw new HmpHttpError(200, `the answer has no integer id: ${JSON.stringify(value)?.slice(0, 200)}`, endpoint);
    }
    return id;
  }

  // --- auth ---

  /** POST /auth/challenge -> base64 challenge. */
  challenge(userId: number): Promise<string> {
    return this.#string('POST', '/auth/challenge', { json: { user_id: userId } }, 'challenge', 'challenge string');
  }

  /** The whole handshake (challenge -> sign -> login); keeps and returns the token. */
  async login(userId: number, privateKey: Uint8Array): Promise<string> {
    const challenge = await this.challenge(userId);
    const signature = await signChallenge(challenge, privateKey);
    this.token = await this.#string('POST', '/auth/login', { json: { user_id: userId, challenge, signature } }, 'token', 'token');
    return this.token;
  }

  // --- admin: load-test fixtures ---

  loadTestUp(): Promise<LoadTestFixture> {
    return this.#json<LoadTestFixture>('POST', '/admin/load-test/up', undefined);
  }

  loadTestDown(): Promise<{ status: string; message?: string }> {
    return this.#json('POST', '/admin/load-test/down', undefined);
  }

  // --- users ---

  createUser(user: NewUser): Promise<number> {
    return this.#id('/auth/users', user);
  }

  listUsers(): Promise<UserSummary[]> {
    return this.#json<UserSummary[]>('GET', '/auth/users', undefined);
  }

  getUser(id: number): Promise<Record<string, unknown>> {
    return this.#json('GET', `/auth/users/${id}`, undefined, 'GET /auth/users/{id}');
  }

  updateUser(id: number, fields: Record<string, unknown>): Promise<unknown> {
    return this.#json('PUT', `/auth/users/${id}`, { json: fields }, 'PUT /auth/users/{id}');
  }

  /** DELETE /auth/users/{id}: not in HMP-API.md; callers probe for 404/405. */
  async deleteUser(id: number): Promise<void> {
    await this.#exchange('DELETE', `/auth/users/${id}`, undefined, 'DELETE /auth/users/{id}');
  }

  // --- projects ---

  createProject(project: NewProject): Promise<number> {
    return this.#id('/project/', project);
  }

  listProjects(): Promise<ProjectSummary[]> {
    return this.#json<ProjectSummary[]>('GET', '/project/', undefined);
  }

  getProject(id: number): Promise<Record<string, unknown>> {
    return this.#json('GET', `/project/${id}`, undefined, 'GET /project/{id}');
  }

  async setProjectStudents(projectId: number, studentEmails: string[]): Promise<void> {
    await this.#exchange('PUT', `/project/${projectId}/students`, { json: { student_emails: studentEmails } }, 'PUT /project/{id}/students');
  }

  async getProjectStudents(projectId: number): Promise<string[]> {
    const out = await this.#json<Array<{ email: string }>>('GET', `/project/${projectId}/students`, undefined, 'GET /project/{id}/students');
    return out.map((s) => s.email);
  }

  /** DELETE /project/{id}: not in HMP-API.md; callers probe for 404/405. */
  async deleteProject(id: number): Promise<void> {
    await this.#exchange('DELETE', `/project/${id}`, undefined, 'DELETE /project/{id}');
  }

  // --- submissions ---

  /** The project instructor's public key (32 raw bytes). */
  async instructorKey(projectId: number): Promise<Uint8Array> {
    const key = await this.#string('GET', `/submission/instructor_key?project_id=${projectId}`, undefined, 'public_key', 'public_key');
    return Buffer.from(key, 'base64');
  }

  /**
   * POST /submission/ as CBOR. `encrypted_content` goes as a plain CBOR byte
   * string: cbor-x would tag a bare Uint8Array (tag 64), which HMP's Python
   * decoder does not turn into bytes, so it is passed as a Buffer.
   * Success = 200 AND an object with an integer id (see the upload quirk).
   */
  async uploadSubmission(projectId: number, title: string, encryptedContent: Uint8Array): Promise<number> {
    const endpoint = 'POST /submission/';
    const body = { cbor: { project_id: projectId, title, encrypted_content: Buffer.from(encryptedContent.buffer, encryptedContent.byteOffset, encryptedContent.byteLength) } };
    const { status, value } = await this.#parsed('POST', '/submission/', body, endpoint);
    const verdict = classifyUploadBody(value);
    if ('id' in verdict) return verdict.id;
    throw new HmpHttpError(status, verdict.detail, endpoint, verdict.bodyStatus);
  }

  listSubmissions(): Promise<SubmissionSummary[]> {
    return this.#json<SubmissionSummary[]>('GET', '/submission/', undefined);
  }

  submissionHash(id: number): Promise<string> {
    return this.#string('GET', `/submission/${id}/hash`, undefined, 'content_hash', 'content_hash', 'GET /submission/{id}/hash');
  }

  /** The encrypted content exactly as uploaded. */
  async submissionContent(id: number): Promise<Uint8Array> {
    const { bytes } = await this.#exchange('GET', `/submission/${id}/content`, undefined, 'GET /submission/{id}/content');
    return bytes;
  }

  async deleteSubmission(id: number): Promise<void> {
    await this.#exchange('DELETE', `/submission/${id}`, undefined, 'DELETE /submission/{id}');
  }
}
