// /submission: encrypted CBOR uploads, the unpaginated list, hash and content.
import type { FastifyInstance } from 'fastify';
import { decode as cborDecode } from 'cbor-x';
import { LEVEL } from '../access.ts';
import { dropContent, readContent, writeContent } from '../contents.ts';
import { getUser } from '../db.ts';
import { HttpError, addRoute, type Ctx, type Out, type TwinState } from '../router.ts';
import { PATH_ID } from '../validate.ts';

/** Upstream cuts long titles in the list. */
export function listTitle(title: string): string {
  return title.length > 30 ? `${title.slice(0, 27)}...` : title;
}

/** A CBOR map cut short: the one decode failure (cbor2's CBORDecodeEOF) that upstream's except catches. */
function truncatedMap(body: Buffer, err: unknown): boolean {
  return body[0] >> 5 === 5 && (err as { incomplete?: boolean }).incomplete === true;
}

async function upload(state: TwinState, ctx: Ctx): Promise<Out> {
  const invalid = (why: string) => {
    // Upstream returns its error tuple from the handler: FastAPI sends it as a 200 list.
    if (state.config.quirkCborUpload200) return { json: [{ error: `Invalid CBOR data: ${why}` }, 400] };
    throw new HttpError(400, `Invalid CBOR data: ${why}`);
  };
  let data: unknown;
  try {
    data = cborDecode(ctx.body);
  } catch (err) {
    const why = (err as Error).message;
    // Any other CBOR that does not decode escapes upstream's except: 500.
    if (state.config.quirkCborUpload200 && !truncatedMap(ctx.body, err)) throw new Error(`CBOR decode failed: ${why}`);
    return invalid(why);
  }
  // Not a map: upstream's data["..."] raises outside its try -> 500.
  if (typeof data !== 'object' || data === null || Array.isArray(data) || data instanceof Uint8Array) {
    throw new Error('CBOR body is not a map');
  }
  const body = data as Record<string, unknown>;
  for (const key of ['project_id', 'title', 'encrypted_content']) {
    if (!(key in body)) return invalid(`missing key '${key}'`);
  }
  const content = body.encrypted_content;
  // Only a CBOR byte string decodes to a Buffer; a tagged typed array (tag 64)
  // is not bytes to upstream's Python decoder either: 500.
  if (!Buffer.isBuffer(content)) throw new Error('encrypted_content is not a CBOR byte string');
  const projectId = Number(body.project_id);
  const student = ctx.user!;
  const assigned = state.db.prepare('SELECT 1 FROM project_students WHERE project_id = ? AND student_id = ?').get(projectId, student.id);
  if (!assigned) {
    if (state.config.quirkUnassigned500) throw new Error(`student ${student.id} is not assigned to project ${projectId}`);
    throw new HttpError(403, 'You are not assigned to this project');
  }
  // Visible (list, hash, content) only once all its bytes are stored.
  const { contentId, md5 } = await writeContent(state.db, content);
  let id: number;
  try {
    const r = state.db
      .prepare("INSERT INTO submissions (project_id, student_id, title, content, content_id, content_hash, submitted_at) VALUES (?, ?, ?, x'', ?, ?, ?)")
      .run(projectId, student.id, String(body.title), contentId, md5, new Date().toISOString());
    id = Number(r.lastInsertRowid);
  } catch (err) {
    dropContent(state.db, contentId); // e.g. load-test/down took the project meanwhile (foreign key): 500
    throw err;
  }
  // Data-loss knob: the id is real and acknowledged, the row is gone.
  if (state.faults.dropThisUpload()) state.db.prepare('DELETE FROM submissions WHERE id = ?').run(id);
  return { json: { id } };
}

export function registerSubmissions(app: FastifyInstance, state: TwinState): void {
  const level = LEVEL.RESTRICTED;

  const key = { level: LEVEL.UNCLASSIFIED, access: 'read', input: { query: { project_id: 'int' } } } as const;
  addRoute(app, state, { method: 'GET', url: '/submission/instructor_key', action: 'submission_instructor_key', ...key }, (ctx) => {
    const projectId = ctx.params.project_id;
    const row = state.db.prepare('SELECT instructor_id FROM projects WHERE id = ?').get(projectId) as { instructor_id: number } | undefined;
    if (!row) throw new Error(`project ${projectId} not found`); // upstream: 500
    const instructor = getUser(state.db, row.instructor_id)!;
    return { json: { public_key: Buffer.from(instructor.public_key).toString('base64') } };
  });

  // Upstream takes the body as `Annotated[bytes, Body()]`: none, or a JSON one, is 422.
  addRoute(app, state, { method: 'POST', url: '/submission/', action: 'submission_create', level, access: 'write', input: { body: 'bytes' } }, (ctx) => upload(state, ctx));

  addRoute(app, state, { method: 'GET', url: '/submission/', action: 'submission_list', level, access: 'read' }, () => {
    const rows = state.db
      .prepare(
        `SELECT s.id, s.title, st.name || ' ' || st.surname AS student_name, ins.name || ' ' || ins.surname AS instructor_name,
                s.submitted_at, s.content_hash
         FROM submissions s JOIN users st ON st.id = s.student_id JOIN projects p ON p.id = s.project_id
         JOIN users ins ON ins.id = p.instructor_id ORDER BY s.submitted_at DESC, s.id DESC`,
      )
      .all() as Array<{ title: string }>;
    return { json: rows.map((r) => ({ ...r, title: listTitle(r.title) })) };
  });

  const byId = { level, input: { path: PATH_ID } } as const;
  addRoute(app, state, { method: 'GET', url: '/submission/:id/hash', action: 'submission_hash', ...byId, access: 'read' }, (ctx) => {
    const row = state.db.prepare('SELECT content_hash FROM submissions WHERE id = ?').get(ctx.params.id);
    if (!row) throw new Error('submission not found'); // upstream: 500
    return { json: row };
  });

  addRoute(app, state, { method: 'GET', url: '/submission/:id/content', action: 'submission_content', ...byId, access: 'read' }, async (ctx) => {
    const id = ctx.params.id;
    const find = state.db.prepare('SELECT content, content_id FROM submissions WHERE id = ?');
    const row = find.get(id) as { content: Uint8Array; content_id: number | null } | undefined;
    if (!row) throw new Error('submission not found'); // upstream: 500
    const type = 'application/octet-stream';
    if (row.content_id === null) return { bytes: row.content, type }; // written by an older twin
    const parts = await readContent(state.db, row.content_id);
    if (!find.get(id)) throw new Error('submission not found'); // deleted while being read
    return { parts, type };
  });

  addRoute(app, state, { method: 'DELETE', url: '/submission/:id', action: 'submission_delete', ...byId, access: 'write' }, (ctx) => {
    // No ownership check and 200 for a missing id, as upstream.
    state.db.prepare('DELETE FROM submissions WHERE id = ?').run(ctx.params.id);
    return { json: { status: 'deleted' } };
  });
}
