// Does the test data belong to this server? Its users must be known here:
// POST /auth/challenge answers 404 for an unknown user and 400 for an
// expired account (HMP-API.md), with no login and no secret sent. Data made
// for another server otherwise gives minutes of failed logins.
import type { TestData } from '../test-data.ts';
import { answerWords, ask, type Answer } from './answer.ts';

/** Null when the users are known; else one sentence with what to do. Pure. */
export function dataOwnerWhy(target: string, dataPath: string, data: Pick<TestData, 'target'>, answers: Array<{ role: string; id: number; answer: Answer }>): string | null {
  const seed = `seed this server with "npm run test-env -- up --target ${target} --credentials <admin.bin> --data ${dataPath}"`;
  const other = data.target && data.target.replace(/\/+$/, '') !== target ? ` (it was made for ${data.target})` : '';
  for (const { role, id, answer } of answers) {
    if ('error' in answer) return null; // no answer is not a verdict on the data: the run will show it
    if (answer.status === 404) return `The test data in ${dataPath} belongs to another server${other}: its ${role} ${id} is unknown to ${target} (POST /auth/challenge answered 404); ${seed}.`;
    if (answer.status === 400) return `The test data in ${dataPath} has expired on ${target}: its ${role} ${id}'s account is past its expiry (POST /auth/challenge ${answerWords(answer)}); ${seed} after "npm run test-env -- down".`;
  }
  return null;
}

export async function checkDataOwner(target: string, dataPath: string, data: Pick<TestData, 'target' | 'students' | 'instructors'>): Promise<string | null> {
  const users = [
    ...data.students.slice(0, 1).map((u) => ({ role: 'student', id: u.id })),
    ...data.instructors.slice(0, 1).map((u) => ({ role: 'instructor', id: u.id })),
  ];
  const answers: Array<{ role: string; id: number; answer: Answer }> = [];
  for (const u of users) answers.push({ ...u, answer: await ask(target, '/auth/challenge', { method: 'POST', json: { user_id: u.id } }) }); // one at a time
  return dataOwnerWhy(target, dataPath, data, answers);
}
