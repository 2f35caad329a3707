// What test-env checks before it asks for the password or contacts a
// server: the files it is given can be read (the credentials file, the
// --fixture, the data file) and the data file allows the command (up: none
// there yet, unless --force; down: one to take the target and the ids from,
// unless --force). Each problem is a Failure with exit code 2, bad input:
// nothing was asked and nothing changed. up and down run these checks
// first, whoever calls them, so a password is only asked for a command that
// can run.
import { readFile } from 'node:fs/promises';
import { whyUnreadable } from '../lib/cli-args.ts';
import { DataFileError, type TestData } from '../lib/test-data.ts';
import { readTestData } from './data-file.ts';
import { Failure, type Explained } from './messages.ts';
import type { DownSettings, UpSettings } from './options.ts';
import { readCredentialsFile } from './session.ts';

export interface UpInputs {
  credentials: Buffer;
  /** The data file already there (only with force). */
  existing: TestData | undefined;
  fixture: Uint8Array | undefined;
}

export interface DownInputs {
  credentials: Buffer;
  /** undefined: no data file (only with force). */
  data: TestData | undefined;
  /** The data file's target, else --target. */
  target: string;
}

const badInput = (e: Explained) => new Failure(e, 2);

export async function upInputs(s: UpSettings): Promise<UpInputs> {
  const credentials = await readCredentialsFile(s.credentialsPath);
  const existing = await loadDataFile(s.dataPath);
  if (existing && !s.force) {
    throw badInput({
      what: `the data file ${s.dataPath} already exists, so test data from ${existing.created_at || 'an earlier run'} may still be on ${existing.target}`,
      todo: 'run down first, or up --force to run down and then up',
    });
  }
  if (existing && existing.target !== s.target) {
    throw badInput({
      what: `the data file ${s.dataPath} describes test data on ${existing.target}, not on ${s.target}`,
      todo: `run down (it targets ${existing.target}) before seeding another server`,
    });
  }
  const fixture = s.fixturePath === undefined ? undefined : await readFixture(s.fixturePath);
  return { credentials, existing, fixture };
}

export async function downInputs(s: DownSettings): Promise<DownInputs> {
  const credentials = await readCredentialsFile(s.credentialsPath);
  const data = await loadDataFile(s.dataPath);
  if (!data) {
    if (!s.force) {
      throw badInput({
        what: `there is no data file at ${s.dataPath}, so nothing is recorded to remove`,
        todo: 'pass --data with the right file, or --force to call /admin/load-test/down on --target anyway',
      });
    }
    if (s.via === 'api') {
      throw badInput({ what: 'without a data file only --via load-test can remove test data (the API needs the recorded ids)', todo: 'drop --via api' });
    }
    if (!s.target) throw badInput({ what: `there is no data file at ${s.dataPath} to take the target from`, todo: 'pass --target' });
  } else if (s.target && s.target !== data.target) {
    throw badInput({
      what: `the data file ${s.dataPath} describes test data on ${data.target}, not on ${s.target}`,
      todo: `run down without --target (or with --target ${data.target})`,
    });
  }
  return { credentials, data, target: data?.target ?? s.target! };
}

/** The data file, or undefined when there is none. */
async function loadDataFile(path: string): Promise<TestData | undefined> {
  try {
    return await readTestData(path);
  } catch (err) {
    const why = err instanceof DataFileError ? err.message : whyUnreadable(err);
    throw badInput({
      what: `the data file ${path} exists but cannot be read as test data (${why})`,
      todo: 'check it, and move it away if it is not from test-env',
    });
  }
}

async function readFixture(path: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw badInput({ what: `cannot read the --fixture file ${path} (${whyUnreadable(err)})`, todo: 'pass the path of a PDF, or leave --fixture out to use generated PDFs' });
  }
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw badInput({ what: `the --fixture file ${path} is not a PDF (it does not start with %PDF-)`, todo: 'pass the path of a PDF' });
  }
  return bytes;
}
