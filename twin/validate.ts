// FastAPI's request validation, applied to every route from the parameters
// it declares (RouteSpec.input): a missing or ill-typed path, query or body
// parameter answers 422 before the handler runs, with FastAPI's
// {"detail": [{type, loc, msg, input}]}, every error at once. Pydantic's lax
// mode coerces: a numeric string (or a boolean) is accepted as an integer. Pure.

/** int; level: an AccessLevel (1-4); str; lists of them (`[]`); `?`: may be left out. */
export type Kind = 'int' | 'level' | 'str' | 'str[]' | 'level[]';
export type Fields = Record<string, Kind | `${Kind}?`>;

/** `{id}` in the path, an integer: most routes' only parameter. */
export const PATH_ID: Fields = { id: 'int' };

export interface Inputs {
  path?: Fields;
  query?: Fields;
  /** A JSON object with these fields (a pydantic model), or the raw bytes (`Annotated[bytes, Body()]`). */
  body?: Fields | 'bytes';
}

export interface FieldError {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
  ctx?: Record<string, string>;
}

export class InvalidRequest extends Error {
  detail: FieldError[];
  constructor(detail: FieldError[]) {
    super(`request validation failed: ${detail.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; ')}`);
    this.detail = detail;
  }
}

const LEVELS = [1, 2, 3, 4];
const INTEGER = /^\s*[+-]?\d+\s*$/;

/** FastAPI parses a body as JSON when its Content-Type says so (application/json, application/*+json) or is missing. */
function saysJson(contentType: string | undefined): boolean {
  return !contentType || /^\s*application\/([^;\s]*\+)?json\s*(;|$)/i.test(contentType);
}

/**
 * The body as FastAPI hands it to validation: parsed JSON or the bytes;
 * undefined when there is none or the route declares none. JSON that does not
 * parse is 422 at once: FastAPI reads the body before anything else, authentication included.
 */
export function readBody(declared: Inputs['body'], raw: Buffer, contentType: string | undefined): unknown {
  if (declared === undefined || raw.length === 0) return undefined;
  if (!saysJson(contentType)) return raw;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    const at = Number(/position (\d+)/.exec((err as Error).message)?.[1] ?? 0);
    throw new InvalidRequest([{ type: 'json_invalid', loc: ['body', at], msg: 'JSON decode error', input: {}, ctx: { error: (err as Error).message } }]);
  }
}

/** One value against its kind: the coerced value, or undefined with the error pushed. */
function check(kind: string, v: unknown, loc: FieldError['loc'], errors: FieldError[]): unknown {
  const fail = (type: string, msg: string, ctx?: Record<string, string>) => {
    errors.push({ type, loc, msg, input: v, ...(ctx && { ctx }) });
    return undefined;
  };
  if (kind.endsWith('[]')) {
    if (!Array.isArray(v)) return fail('list_type', 'Input should be a valid list');
    return v.map((item, i) => check(kind.slice(0, -2), item, [...loc, i], errors));
  }
  if (kind === 'str') return typeof v === 'string' ? v : fail('string_type', 'Input should be a valid string');
  const n = typeof v === 'boolean' || (typeof v === 'string' && INTEGER.test(v)) ? Number(v) : v;
  if (typeof v === 'string' && typeof n !== 'number') return fail('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
  if (typeof n !== 'number') return fail('int_type', 'Input should be a valid integer');
  if (!Number.isInteger(n)) return fail('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
  if (kind === 'level' && !LEVELS.includes(n)) return fail('enum', 'Input should be 1, 2, 3 or 4', { expected: '1, 2, 3 or 4' });
  return n;
}

function fields(declared: Fields, given: Record<string, unknown>, where: 'path' | 'query' | 'body', errors: FieldError[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(declared)) {
    const raw = given[name];
    const v = Array.isArray(raw) && where === 'query' ? raw.at(-1) : raw; // a repeated query parameter: the last one
    const optional = kind.endsWith('?');
    if (v === undefined) {
      if (!optional) errors.push({ type: 'missing', loc: [where, name], msg: 'Field required', input: where === 'body' ? given : null });
      continue;
    }
    out[name] = check(optional ? kind.slice(0, -1) : kind, v, [where, name], errors);
  }
  return out;
}

/**
 * FastAPI's checks of what the route declares (`body` from readBody); throws InvalidRequest with every error.
 * Returns the path and query parameters coerced, and the body: a JSON one's declared fields (others are
 * dropped, as pydantic does) or a 'bytes' one.
 */
export function validate(inputs: Inputs, path: Record<string, string>, query: Record<string, unknown>, body: unknown) {
  const errors: FieldError[] = [];
  const params: Record<string, any> = { ...fields(inputs.path ?? {}, path, 'path', errors), ...fields(inputs.query ?? {}, query, 'query', errors) };
  let json: Record<string, any> | undefined;
  let bytes: Buffer | undefined;
  const declared = inputs.body;
  if (declared !== undefined && body == null) {
    errors.push({ type: 'missing', loc: ['body'], msg: 'Field required', input: null });
  } else if (declared === 'bytes') {
    if (Buffer.isBuffer(body)) bytes = body;
    else if (typeof body === 'string') bytes = Buffer.from(body); // pydantic takes a JSON string as bytes
    else errors.push({ type: 'bytes_type', loc: ['body'], msg: 'Input should be a valid bytes', input: body });
  } else if (declared !== undefined) {
    if (typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) json = fields(declared, body as Record<string, unknown>, 'body', errors);
    else errors.push({ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: Buffer.isBuffer(body) ? body.toString('utf8') : body });
  }
  if (errors.length > 0) throw new InvalidRequest(errors);
  return { params, json, bytes };
}
