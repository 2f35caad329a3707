// The admin, for the smoke test's GET /audit/ (CONFIDENTIAL): from the
// credentials file the HMP client saves (HMP_ADMIN_CREDENTIALS) and its
// password (HMP_PASSWORD, as tools/test-env.ts takes it). Decoded once per worker.
import { readFile } from 'node:fs/promises';
import { decodeCredentialsFile } from '../lib/hmp-crypto.ts';
import { settings } from './settings.ts';
import type { Identity } from './vars.ts';

let admin: Promise<Identity | string> | undefined;

async function load(): Promise<Identity | string> {
  const { adminCredentialsPath: path, adminPassword: password } = settings();
  if (!path) return 'no_admin_credentials: set HMP_ADMIN_CREDENTIALS (the admin .bin file) and HMP_PASSWORD to check GET /audit/';
  if (!password) return `no_admin_credentials: HMP_PASSWORD is not set, so ${path} cannot be opened`;
  try {
    const creds = await decodeCredentialsFile(await readFile(path), password);
    return { id: creds.userId, privateKeyHex: Buffer.from(creds.privateKey).toString('hex'), role: 'admin', projectIds: [] };
  } catch (err) {
    return `admin_credentials: ${path}: ${(err as Error).message}`;
  }
}

/** The admin's identity, or why it cannot be had ("<reason>: <detail>"). */
export function adminIdentity(): Promise<Identity | string> {
  admin ??= load();
  return admin;
}
