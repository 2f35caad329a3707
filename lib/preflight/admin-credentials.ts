// The smoke reads the audit log as the admin (GET /audit/): it needs the
// admin's credentials file (HMP_ADMIN_CREDENTIALS) and its password
// (HMP_PASSWORD), the same test-env up takes. Checked by opening the file,
// so a wrong password is found here and not after two minutes of load.
import { readFileSync } from 'node:fs';
import { decodeCredentialsFile } from '../hmp-crypto.ts';

const FIX = 'set HMP_ADMIN_CREDENTIALS to the admin\'s .bin file and HMP_PASSWORD to its password (the same ones "npm run test-env -- up" takes)';

/** Null when the credentials open; else one sentence (never the password). */
export async function adminCredentialsWhy(env: Record<string, string | undefined>): Promise<string | null> {
  const path = env.HMP_ADMIN_CREDENTIALS;
  const need = 'The smoke test reads the audit log as the admin (GET /audit/)';
  if (!path) return `${need} and HMP_ADMIN_CREDENTIALS is not set: ${FIX}.`;
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (err) {
    return `${need} and its credentials file ${path} (HMP_ADMIN_CREDENTIALS) cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${FIX}.`;
  }
  if (!env.HMP_PASSWORD) return `${need} and HMP_PASSWORD is not set, so ${path} cannot be opened: ${FIX}.`;
  try {
    await decodeCredentialsFile(file, env.HMP_PASSWORD);
  } catch (err) {
    return `${need} and HMP_PASSWORD does not open ${path} (${(err as Error).message}): ${FIX}.`;
  }
  return null;
}
