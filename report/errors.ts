// The errors table (pure): user-visible errors grouped by endpoint, status
// and reason, with counts and the first and last period they occurred in.
// Server messages come from the results (hmp.errorSamples) and are
// untrusted text: they are kept as data here and escaped where rendered.
import { isObject, num, own, str } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { isNoAnswer, type EndpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { sum } from './metrics.ts';
import type { ErrorRow, ErrorSampleIn } from './types.ts';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const MEANING: Record<string, string> = {
  bad_body: 'the answer failed validation',
  md5_mismatch: 'content differs from what was uploaded (MD5)',
  timeout: 'no answer within the client timeout',
  etimedout: 'no answer within the client timeout',
  esockettimedout: 'the connection stayed idle past the client timeout',
  econnrefused: 'connection refused (nothing listening)',
  econnreset: 'connection reset by the server',
  epipe: 'the server closed the connection while sending',
  eai_again: 'DNS lookup failed',
  enotfound: 'host name not found',
  ehostunreach: 'host unreachable',
  unreachable: 'the server could not be reached',
  request_error: 'the request failed without an answer',
  wait_timeout: 'conversion not done in time',
  no_user: 'a 401 arrived before the session had a user',
  no_server_key: 'no server public key to encrypt for',
  unspecified: 'counted without a reason',
};

export function meaningOf(reason: string): string {
  const code = statusOf(reason);
  if (code !== null) return `HTTP ${code}${STATUS_TEXT[code] ? ` ${STATUS_TEXT[code]}` : ''}`;
  return own(MEANING, reason.toLowerCase()) ?? '';
}

export function statusOf(reason: string): number | null {
  const m = /^status_(\d{3})$/.exec(reason);
  return m ? Number(m[1]) : null;
}

/** Sample messages, keyed by endpoint and reason (first one wins). */
export function sampleIndex(samples: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(samples)) return out;
  for (const s of samples as ErrorSampleIn[]) {
    if (!isObject(s)) continue;
    const endpoint = str(s.endpoint);
    const reason = str(s.reason);
    const message = str(s.message);
    if (endpoint === undefined || reason === undefined || message === undefined) continue;
    const key = `${endpoint}\u0000${reason.toLowerCase()}`;
    if (!out.has(key)) out.set(key, message.length > 500 ? `${message.slice(0, 500)}…` : message);
    const status = num(s.status);
    if (status !== undefined && !out.has(`${endpoint}\u0000status_${status}`)) out.set(`${endpoint}\u0000status_${status}`, message.slice(0, 500));
  }
  return out;
}

/** Reasons per endpoint, with the errors counted without a reason as "unspecified". */
function reasonsOf(c: EndpointCounters): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  const endpoints = new Set([...Object.keys(c.errors), ...Object.keys(c.reasons)]);
  for (const ep of endpoints) {
    const reasons = c.reasons[ep] ?? {};
    for (const [r, n] of Object.entries(reasons)) if (n > 0) out.push([ep, r, n]);
    const rest = (c.errors[ep] ?? 0) - sum(Object.values(reasons));
    if (rest > 0) out.push([ep, 'unspecified', rest]);
  }
  return out;
}

/**
 * agg: the aggregate's counters by endpoint; perPeriod: the same per period,
 * with starts `at` (ms); t0: ms the chart times count from.
 */
export function errorRows(agg: EndpointCounters, perPeriod: Array<{ at: number; c: EndpointCounters }>, periodS: number, t0: number, samples: unknown): ErrorRow[] {
  const messages = sampleIndex(samples);
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const { at, c } of perPeriod) {
    for (const [ep, r] of reasonsOf(c)) {
      const key = `${ep}\u0000${r}`;
      if (!first.has(key)) first.set(key, at);
      last.set(key, at + periodS * 1000);
    }
  }
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const rel = (ms: number | undefined) => (ms === undefined ? null : Math.round((ms - t0) / 1000));
  return reasonsOf(agg)
    .map(([endpoint, reason, count]): ErrorRow => {
      const key = `${endpoint}\u0000${reason}`;
      return {
        endpoint,
        status: statusOf(reason),
        noAnswer: isNoAnswer(reason),
        reason,
        meaning: meaningOf(reason) || (isNoAnswer(reason) ? 'no answer' : ''),
        message: messages.get(`${endpoint}\u0000${reason.toLowerCase()}`) ?? null,
        count,
        firstAt: iso(first.get(key)),
        lastAt: iso(last.get(key)),
        firstS: rel(first.get(key)),
        lastS: rel(last.get(key)),
      };
    })
    .sort((a, b) => b.count - a.count || (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : a.reason < b.reason ? -1 : 1));
}
