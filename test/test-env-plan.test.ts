// test-env/plan.ts: what --via api creates and who uploads what (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TITLE_PREFIX } from '../lib/test-data.ts';
import { FAR_FUTURE, mapLimit, planApiSeed, planSubmissions, testEmail } from '../test-env/plan.ts';

const NOW = new Date('2030-01-01T00:00:00Z');

test('planApiSeed: default sizes, levels, emails, titles and 3-5 projects per student', () => {
  const plan = planApiSeed({ instructors: 2, students: 80, projects: 25 }, 1, NOW);
  assert.equal(plan.instructors.length, 2);
  assert.equal(plan.students.length, 80);
  assert.equal(plan.projects.length, 25);
  assert.equal(plan.students[7]!.email, 'student007@hmp.test');
  assert.equal(plan.instructors[1]!.email, 'instructor001@hmp.test');
  for (const s of plan.students) {
    assert.equal(s.confidentiality_level, 2);
    assert.deepEqual(s.integrity_levels, [3]);
    assert.equal(s.expires_at, FAR_FUTURE);
  }
  for (const i of plan.instructors) {
    assert.equal(i.confidentiality_level, 3);
    assert.deepEqual(i.integrity_levels, [3]);
  }
  // name + surname must be unique on HMP
  const names = new Set([...plan.students, ...plan.instructors].map((u) => `${u.name} ${u.surname}`));
  assert.equal(names.size, 82);
  const perStudent = new Map<number, number>();
  plan.projects.forEach((p, i) => {
    assert.ok(p.title.startsWith(TEST_TITLE_PREFIX));
    assert.equal(p.instructorIndex, i % 2, 'instructors round-robin');
    assert.ok(Date.parse(p.deadline) > NOW.getTime());
    assert.equal(new Set(p.studentIndexes).size, p.studentIndexes.length, 'no student twice on a project');
    for (const s of p.studentIndexes) perStudent.set(s, (perStudent.get(s) ?? 0) + 1);
  });
  assert.equal(perStudent.size, 80);
  for (const n of perStudent.values()) assert.ok(n >= 3 && n <= 5, `each student on 3-5 projects, got ${n}`);
});

test('planApiSeed: deadlines vary; the same seed gives the same plan', () => {
  const a = planApiSeed({ instructors: 1, students: 10, projects: 6 }, 99, NOW);
  const b = planApiSeed({ instructors: 1, students: 10, projects: 6 }, 99, NOW);
  assert.deepEqual(a, b);
  assert.equal(new Set(a.projects.map((p) => p.deadline)).size, 6);
});

test('planApiSeed: with fewer than 3 projects every student is on all of them', () => {
  const plan = planApiSeed({ instructors: 1, students: 4, projects: 2 }, 3, NOW);
  for (const p of plan.projects) assert.deepEqual(p.studentIndexes, [0, 1, 2, 3]);
});

test('testEmail pads to three digits', () => {
  assert.equal(testEmail('student', 0), 'student000@hmp.test');
  assert.equal(testEmail('instructor', 19), 'instructor019@hmp.test');
});

test('planSubmissions spreads uploads over students and only to their own projects', () => {
  const students = [{ project_ids: [10, 11] }, { project_ids: [] }, { project_ids: [12, 13, 14] }];
  const plan = planSubmissions(students, 7, 5);
  assert.equal(plan.length, 7);
  for (const p of plan) {
    assert.notEqual(p.studentIndex, 1, 'a student without projects uploads nothing');
    assert.ok(students[p.studentIndex]!.project_ids.includes(p.projectId));
    assert.ok(p.title.startsWith(TEST_TITLE_PREFIX));
  }
  assert.deepEqual(plan.map((p) => p.studentIndex), [0, 2, 0, 2, 0, 2, 0]);
  assert.deepEqual(plan.filter((p) => p.studentIndex === 0).map((p) => p.projectId), [10, 11, 10, 11]);
  assert.equal(new Set(plan.map((p) => p.title)).size, 7);
});

test('planSubmissions: zero is fine, but uploads need a student with a project', () => {
  assert.deepEqual(planSubmissions([], 0, 1), []);
  assert.throws(() => planSubmissions([{ project_ids: [] }], 1, 1), /no test student is assigned/);
});

test('mapLimit keeps at most `limit` in flight and the results in order', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
    peak = Math.max(peak, ++inFlight);
    await new Promise((r) => setTimeout(r, ms));
    inFlight--;
    return i * 10;
  });
  assert.deepEqual(out, [0, 10, 20, 30, 40, 50]);
  assert.equal(peak, 2);
});

test('mapLimit: after a failure no new item starts, in-flight ones finish, then it throws', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  await assert.rejects(
    mapLimit([0, 1, 2, 3, 4, 5], 2, async (_, i) => {
      started.push(i);
      if (i === 1) throw new Error('boom');
      await new Promise((r) => setTimeout(r, 5));
      finished.push(i);
    }),
    /boom/,
  );
  assert.ok(!started.includes(5));
  for (const i of started) if (i !== 1) assert.ok(finished.includes(i), `item ${i} was left running`);
});
