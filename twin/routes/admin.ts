// /admin/load-test/up|down (HMP-API.md "Load-test fixtures"), /audit/, /health.
import type { FastifyInstance } from 'fastify';
import { newPrivateKey, publicKeyOf } from '../../lib/hmp-crypto.ts';
import type { AccountRecord } from '../../lib/test-data.ts';
import { randomInt } from '../../plugins/artillery-plugin-hmp/prng.ts';
import { LEVEL } from '../access.ts';
import { transaction } from '../db.ts';
import { addRoute, type TwinState } from '../router.ts';
import { insertUser } from './auth.ts';
import { insertProject } from './projects.ts';

export const LOAD_TEST = { students: 80, instructors: 20, projects: 30, minAssigned: 3, maxAssigned: 5 } as const;
const DAY_MS = 86_400_000;

async function keyPairs(n: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const priv = newPrivateKey();
      return { priv: Buffer.from(priv).toString('hex'), pub: Buffer.from(await publicKeyOf(priv)).toString('base64') };
    }),
  );
}

async function loadTestUp(state: TwinState) {
  const studentKeys = await keyPairs(LOAD_TEST.students);
  const instructorKeys = await keyPairs(LOAD_TEST.instructors);
  const expires = new Date(Date.now() + 365 * DAY_MS).toISOString();
  const deadline = new Date(Date.now() + 90 * DAY_MS).toISOString();
  // All or nothing: a second call fails on the first taken email (400) and leaves no trace.
  return transaction(state.db, () => {
    const make = (role: 'student' | 'instructor', i: number, key: { priv: string; pub: string }): AccountRecord => {
      const nn = String(i).padStart(3, '0');
      const student = role === 'student';
      const id = insertUser(state, {
        name: student ? 'Student' : 'Instructor',
        surname: `LoadTest ${nn}`,
        email: `${role}${nn}@hmp.test`,
        confidentiality_level: student ? LEVEL.CONTROLLED : LEVEL.RESTRICTED,
        integrity_levels: [LEVEL.RESTRICTED],
        public_key: key.pub,
        expires_at: expires,
      });
      return { id, email: `${role}${nn}@hmp.test`, private_key: key.priv, project_ids: [] };
    };
    const students = studentKeys.map((k, i) => make('student', i, k));
    const instructors = instructorKeys.map((k, i) => make('instructor', i, k));
    const projects = Array.from({ length: LOAD_TEST.projects }, (_, i) => {
      const instructor = instructors[i % instructors.length]!; // round-robin
      const title = `$TEST$ Load Test Project ${String(i).padStart(3, '0')}`;
      const id = insertProject(state, { title, syllabus_summary: 'Load test syllabus', description: 'Created by /admin/load-test/up', instructor_id: instructor.id, deadline });
      instructor.project_ids.push(id);
      return { id, title, instructor_id: instructor.id };
    });
    const assign = state.db.prepare('INSERT INTO project_students (project_id, student_id) VALUES (?, ?)');
    for (const s of students) {
      const pool = projects.map((p) => p.id);
      const n = randomInt(state.rand, LOAD_TEST.minAssigned, LOAD_TEST.maxAssigned);
      for (let k = 0; k < n; k++) {
        const [pid] = pool.splice(randomInt(state.rand, 0, pool.length - 1), 1);
        assign.run(pid!, s.id);
        s.project_ids.push(pid!);
      }
      s.project_ids.sort((a, b) => a - b);
    }
    return { students, instructors, projects };
  });
}

function loadTestDown(state: TwinState) {
  const db = state.db;
  return transaction(db, () => {
    const testUsers = "SELECT id FROM users WHERE email LIKE '%@hmp.test'";
    const testProjects = "SELECT id FROM projects WHERE substr(title, 1, 6) = '$TEST$'";
    const subs = db.prepare(`DELETE FROM submissions WHERE project_id IN (${testProjects}) OR student_id IN (${testUsers})`).run().changes;
    db.prepare(`DELETE FROM project_students WHERE project_id IN (${testProjects}) OR student_id IN (${testUsers})`).run();
    const projects = db.prepare(`DELETE FROM projects WHERE id IN (${testProjects}) OR instructor_id IN (${testUsers})`).run().changes;
    const users = db.prepare(`DELETE FROM users WHERE id IN (${testUsers})`).run().changes;
    return { status: 'success', message: `Deleted ${users} users, ${projects} projects and ${subs} submissions` };
  });
}

export function registerAdmin(app: FastifyInstance, state: TwinState): void {
  const admin = { level: LEVEL.CONFIDENTIAL, access: 'write' } as const;
  addRoute(app, state, { method: 'POST', url: '/admin/load-test/up', action: 'load_test_up', ...admin }, async () => ({ json: await loadTestUp(state) }));
  addRoute(app, state, { method: 'POST', url: '/admin/load-test/down', action: 'load_test_down', ...admin }, () => ({ json: loadTestDown(state) }));

  const range = { query: { start: 'str?', end: 'str?' } } as const;
  addRoute(app, state, { method: 'GET', url: '/audit/', action: 'audit_list', level: LEVEL.CONFIDENTIAL, access: 'read', input: range }, (ctx) => {
    // Upstream hands the strings to PostgreSQL, which fails the query on one it cannot read as a timestamp: 500.
    const bound = (v: string | undefined, open: string) => {
      if (v === undefined) return open;
      if (Number.isNaN(Date.parse(v))) throw new Error(`invalid input syntax for type timestamp: "${v}"`);
      return new Date(v).toISOString();
    };
    const rows = state.db
      .prepare(
        `SELECT a.timestamp, a.action, a.is_success, a.reason, u.name || ' ' || u.surname AS user_name, a.ip_address
         FROM audit_logs a LEFT JOIN users u ON u.id = a.user_id
         WHERE a.timestamp >= ? AND a.timestamp <= ? ORDER BY a.id DESC`,
      )
      .all(bound(ctx.params.start, '0000'), bound(ctx.params.end, '9999')) as Array<{ is_success: number }>;
    return { json: rows.map((r) => ({ ...r, is_success: r.is_success === 1 })) };
  });

  addRoute(app, state, { method: 'GET', url: '/health', action: 'health', level: null, access: 'read', audit: false }, () => ({ json: "I'm good" }));
}
