// Reading the admin's credentials file (before the password is asked for),
// opening it with the password, and logging in as the admin.
import { readFile } from 'node:fs/promises';
import { whyUnreadable } from '../lib/cli-args.ts';
import { HmpClient } from '../lib/hmp-client.ts';
import { CredentialsError, decodeCredentialsFile, type Credentials } from '../lib/hmp-crypto.ts';
import { Failure, explainAdminLogin } from './messages.ts';

export interface AdminSession {
  client: HmpClient;
  userId: number;
  target: string;
  credentialsPath: string;
}

/**
 * Reads the credentials file, before any password is asked for: a file that
 * is missing, unreadable or empty is bad input (a Failure with exit code 2).
 */
export async function readCredentialsFile(path: string): Promise<Buffer> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (err) {
    throw new Failure({ what: `cannot read the credentials file ${path} (${whyUnreadable(err)})`, todo: "pass --credentials with the admin's .bin file" }, 2);
  }
  if (file.length === 0) throw new Failure({ what: `the credentials file ${path} is empty`, todo: "pass --credentials with the admin's .bin file" }, 2);
  return file;
}

/** Decrypts the credentials file read by readCredentialsFile; every problem is a Failure sentence. */
export async function openCredentials(path: string, file: Buffer, password: string): Promise<Credentials> {
  try {
    return await decodeCredentialsFile(file, password);
  } catch (err) {
    if (err instanceof CredentialsError && err.message.includes('password')) {
      throw new Failure({
        what: `the password does not open the credentials file ${path} (wrong password, or not an HMP credentials file)`,
        todo: 'check HMP_PASSWORD or the password typed',
      });
    }
    if (err instanceof CredentialsError) {
      throw new Failure({
        what: `cannot open the credentials file ${path}: ${err.message}`,
        todo: 'check HMP_PASSWORD (or the password typed) and that the file is the one the HMP client saved',
      });
    }
    throw err;
  }
}

/** Logs in with opened credentials (again after a wait: the token may have expired meanwhile). */
export async function adminLogin(target: string, credentialsPath: string, creds: Credentials, timeoutMs: number): Promise<AdminSession> {
  const client = new HmpClient(target, { timeoutMs });
  try {
    await client.login(creds.userId, creds.privateKey);
  } catch (err) {
    throw new Failure(explainAdminLogin(err, { target, credentialsPath, userId: creds.userId }), 1, err);
  }
  return { client, userId: creds.userId, target, credentialsPath };
}
