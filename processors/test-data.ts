// The test data that tools/test-env.ts `up` wrote (HMP_TEST_DATA, default
// data/test_data.json): the users the sessions log in as. Loaded once per
// worker; users are handed out round robin from a random start.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTestData, type TestData } from '../lib/test-data.ts';
import type { Rand } from './pick.ts';

export class TestDataError extends Error {}

export function readTestData(path: string): TestData {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TestDataError(
      code === 'ENOENT'
        ? `no test data at ${full}: run "npx node tools/test-env.ts up" first, or point HMP_TEST_DATA at the file`
        : `cannot read the test data ${full} (${code ?? (err as Error).message})`,
    );
  }
  let data: TestData;
  try {
    data = parseTestData(text);
  } catch (err) {
    throw new TestDataError(`the test data ${full} is not usable: ${(err as Error).message}; run tools/test-env.ts up again`);
  }
  if (data.students.length === 0 || data.instructors.length === 0) {
    throw new TestDataError(`the test data ${full} has ${data.students.length} students and ${data.instructors.length} instructors; both are needed`);
  }
  return data;
}

/** Hands out items round robin, from a random start. */
export class RoundRobin<T> {
  readonly #items: readonly T[];
  #next: number;

  constructor(items: readonly T[], rand: Rand) {
    if (items.length === 0) throw new RangeError('nothing to hand out');
    this.#items = items;
    this.#next = Math.floor(rand() * items.length);
  }

  next(): T {
    const item = this.#items[this.#next % this.#items.length]!;
    this.#next = (this.#next + 1) % this.#items.length;
    return item;
  }
}

export type Users = ReturnType<typeof usersOf>;

export function usersOf(data: TestData, rand: Rand) {
  const withProjects = data.students.filter((s) => s.project_ids.length > 0);
  return {
    data,
    /** Students with at least one project (they can upload); all students when none has. */
    students: new RoundRobin(withProjects.length > 0 ? withProjects : data.students, rand),
    instructors: new RoundRobin(data.instructors, rand),
  };
}
