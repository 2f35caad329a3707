// The preflight: seconds of questions to the target before any load, so a
// run that cannot mean anything ends with one sentence instead of minutes of
// errors. Used by the plugin (through tools/preflight.ts) and the suite.
// Findings stop the run; notes are said and the run goes on.
import { readFileSync } from 'node:fs';
import type { TestData } from '../test-data.ts';
import { adminCredentialsWhy } from './admin-credentials.ts';
import { checkConversions } from './conversions.ts';
import { checkDataOwner } from './data-owner.ts';
import { checkIdentity } from './identity.ts';

export interface PreflightInput {
  target: string;
  test: string;
  /** The test data file (HMP_TEST_DATA). */
  dataPath: string;
  conversions: boolean;
  /** How this tool switches conversions off, for the finding's fix. */
  offSwitch: string;
  env: Record<string, string | undefined>;
}

export interface PreflightResult {
  findings: string[];
  notes: string[];
}

export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const { target, env } = input;
  const notHmp = await checkIdentity(target);
  if (notHmp) return { findings: [notHmp], notes: [] };
  // Only the users are asked about: a file the processors can run with is enough here.
  let data: Pick<TestData, 'target' | 'students' | 'instructors'>;
  try {
    const raw = JSON.parse(readFileSync(input.dataPath, 'utf8')) as Partial<TestData>;
    data = { target: typeof raw.target === 'string' ? raw.target : '', students: Array.isArray(raw.students) ? raw.students : [], instructors: Array.isArray(raw.instructors) ? raw.instructors : [] };
  } catch (err) {
    return { findings: [`The test data ${input.dataPath} cannot be read (${(err as Error).message.split('\n')[0]}); run "npm run test-env -- up --target ${target} --credentials <admin.bin>" to make it.`], notes: [] };
  }
  const foreign = await checkDataOwner(target, input.dataPath, data);
  if (foreign) return { findings: [foreign], notes: [] };
  const findings: string[] = [];
  const notes: string[] = [];
  if (input.test === 'smoke') {
    const admin = await adminCredentialsWhy(env);
    if (admin) findings.push(admin);
  }
  const instructor = data.instructors[0];
  if (input.conversions && instructor) {
    const c = await checkConversions(target, instructor, Boolean(env.HMP_SERVER_PUBLIC_KEY), 10_000, input.offSwitch);
    (c.ready ? notes : findings).push(c.text);
  }
  return { findings, notes };
}
