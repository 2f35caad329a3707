// /project: listing (unpaginated, as upstream), details and administration.
import type { FastifyInstance } from 'fastify';
import { LEVEL } from '../access.ts';
import { transaction } from '../db.ts';
import { HttpError, addRoute, type TwinState } from '../router.ts';
import { PATH_ID, type Fields } from '../validate.ts';

// Upstream's ProjectCreateRequest, and ProjectUpdateRequest (the same fields, all required too).
const PROJECT: Fields = { title: 'str', syllabus_summary: 'str', description: 'str', instructor_email: 'str', deadline: 'str' };

function userId(state: TwinState, email: string, role: 'Instructor' | 'Student'): number {
  const row = state.db.prepare('SELECT id FROM users WHERE email = ?').get(email) as { id: number } | undefined;
  if (!row) throw new HttpError(400, `${role} ${email} not found`);
  return row.id;
}

/** Shared with /admin/load-test/up. */
export function insertProject(state: TwinState, p: { title: string; syllabus_summary?: string; description?: string; instructor_id: number; deadline: string }): number {
  const r = state.db
    .prepare('INSERT INTO projects (title, syllabus_summary, description, instructor_id, deadline) VALUES (?, ?, ?, ?, ?)')
    .run(p.title, p.syllabus_summary ?? '', p.description ?? '', p.instructor_id, p.deadline);
  return Number(r.lastInsertRowid);
}

export function registerProjects(app: FastifyInstance, state: TwinState): void {
  const read = { level: LEVEL.CONTROLLED, access: 'read' } as const;
  // Administration writes at CONFIDENTIAL: only the admin may.
  const admin = { level: LEVEL.CONFIDENTIAL } as const;

  addRoute(app, state, { method: 'GET', url: '/project/', action: 'project_list', ...read }, () => {
    const rows = state.db
      .prepare(
        `SELECT p.id, p.title, u.name || ' ' || u.surname AS instructor_full_name, p.deadline
         FROM projects p JOIN users u ON u.id = p.instructor_id ORDER BY p.deadline DESC, p.id DESC`,
      )
      .all();
    return { json: rows };
  });

  addRoute(app, state, { method: 'GET', url: '/project/:id', action: 'project_detail', ...read, input: { path: PATH_ID } }, (ctx) => {
    const row = state.db
      .prepare(
        `SELECT p.id, p.title, p.syllabus_summary, p.description, p.instructor_id,
                u.name || ' ' || u.surname AS instructor_full_name, u.email AS instructor_email, p.deadline,
                (SELECT COUNT(*) FROM project_students s WHERE s.project_id = p.id) AS student_count
         FROM projects p JOIN users u ON u.id = p.instructor_id WHERE p.id = ?`,
      )
      .get(ctx.params.id);
    if (!row) throw new HttpError(404, 'Project not found');
    return { json: row };
  });

  addRoute(app, state, { method: 'POST', url: '/project/', action: 'project_create', ...admin, access: 'write', input: { body: PROJECT } }, (ctx) => {
    const b = ctx.json;
    return { json: { id: insertProject(state, { ...b, instructor_id: userId(state, b.instructor_email, 'Instructor') }) } };
  });

  addRoute(app, state, { method: 'PUT', url: '/project/:id', action: 'project_update', ...admin, access: 'read_write', input: { path: PATH_ID, body: PROJECT } }, (ctx) => {
    const id = ctx.params.id;
    if (!state.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(id)) throw new HttpError(404, 'Project not found');
    const b = ctx.json;
    state.db
      .prepare('UPDATE projects SET title = ?, syllabus_summary = ?, description = ?, instructor_id = ?, deadline = ? WHERE id = ?')
      .run(b.title, b.syllabus_summary, b.description, userId(state, b.instructor_email, 'Instructor'), b.deadline, id);
    return { json: { id } };
  });

  const students = { path: PATH_ID, body: { student_emails: 'str[]' } } as const;
  addRoute(app, state, { method: 'PUT', url: '/project/:id/students', action: 'project_students_set', ...admin, access: 'read_write', input: students }, (ctx) => {
    const id = ctx.params.id;
    if (!state.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(id)) throw new HttpError(404, 'Project not found');
    const ids = (ctx.json.student_emails as string[]).map((email) => userId(state, email, 'Student'));
    const keep = new Set(ids);
    const current = (state.db.prepare('SELECT student_id FROM project_students WHERE project_id = ?').all(id) as Array<{ student_id: number }>).map((r) => r.student_id);
    for (const sid of current) {
      if (keep.has(sid)) continue;
      if (state.db.prepare('SELECT 1 FROM submissions WHERE project_id = ? AND student_id = ?').get(id, sid)) {
        throw new HttpError(400, 'Cannot remove a student who has already submitted');
      }
    }
    transaction(state.db, () => {
      state.db.prepare('DELETE FROM project_students WHERE project_id = ?').run(id);
      const ins = state.db.prepare('INSERT OR IGNORE INTO project_students (project_id, student_id) VALUES (?, ?)');
      for (const sid of ids) ins.run(id, sid);
    });
    return { json: { id, student_count: keep.size } };
  });

  addRoute(app, state, { method: 'GET', url: '/project/:id/students', action: 'project_students_get', level: LEVEL.RESTRICTED, access: 'read', input: { path: PATH_ID } }, (ctx) => {
    const id = ctx.params.id;
    if (!state.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(id)) throw new HttpError(404, 'Project not found');
    return { json: state.db.prepare('SELECT u.email FROM project_students s JOIN users u ON u.id = s.student_id WHERE s.project_id = ? ORDER BY u.email').all(id) };
  });
}
