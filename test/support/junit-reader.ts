// junit.xml as a pipeline reads it: parsed by junit2json (xml2js in strict
// mode, as JUnit publishers for GitHub use), then flattened to one row per
// test case, so tests compare plain data. A document that is not well-formed
// XML or not JUnit throws.
import { parse, type TestCase, type TestSuite, type TestSuites } from 'junit2json';

export interface ReadCase {
  suite: string;
  name: string;
  classname: string;
  result: 'pass' | 'failure' | 'error' | 'skipped';
  message: string | undefined;
  type: string | undefined;
  /** The failure's or error's text, else the system-out. */
  body: string | undefined;
}

export interface ReadJunit {
  root: TestSuites;
  suites: TestSuite[];
  cases: ReadCase[];
}

function resultOf(c: TestCase): Pick<ReadCase, 'result' | 'message' | 'type' | 'body'> {
  const d = c.failure?.[0] ?? c.error?.[0];
  if (d) return { result: c.failure ? 'failure' : 'error', message: d.message, type: d.type, body: d.inner };
  if (c.skipped) return { result: 'skipped', message: c.skipped[0]?.message, type: undefined, body: undefined };
  return { result: 'pass', message: undefined, type: undefined, body: c['system-out']?.[0] };
}

/** Attribute values are kept as text (no number parsing), so names and messages compare as written. */
export async function readJunit(xml: string): Promise<ReadJunit> {
  const root = (await parse(xml, { attrValueProcessors: [] })) as TestSuites | null | undefined;
  if (!root || !Array.isArray(root.testsuite)) throw new Error(`not a JUnit <testsuites> document: ${xml.slice(0, 200)}`);
  const suites = root.testsuite;
  const cases = suites.flatMap((s) => (s.testcase ?? []).map((c) => ({ suite: String(s.name), name: String(c.name), classname: String(c.classname), ...resultOf(c) })));
  return { root, suites, cases };
}
