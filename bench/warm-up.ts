// Warms the twin up before a measured run: one v1.1 conversion end to end
// (upload-key, execute, status, audio) and a few reads. The twin's first
// conversion loads pdf.js and compiles the speech path, a ~100 ms stall of
// its event loop; if that lands in a measured window, every request in
// flight looks ~100 ms slower to the client but not in its Server-Timing,
// and the accuracy benchmark would blame the generator for the twin's
// warm-up.
import { encode as cborEncode } from 'cbor-x';
import { aesGcmEncrypt, publicKeyOf, PublicKeyCipher } from '../lib/hmp-crypto.ts';
import type { TestData } from '../lib/test-data.ts';
import { fixturePdf } from './fixtures.ts';
import { loginOnce } from './floor.ts';

async function call(base: string, path: string, token: string, body?: Buffer): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/cbor' } : {}) },
    body,
  });
  if (!res.ok) throw new Error(`twin warm-up: ${path.split('?')[0]} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return res.headers.get('content-type')?.includes('json') ? res.json() : Buffer.from(await res.arrayBuffer());
}

export async function warmUpTwin(base: string, data: TestData): Promise<void> {
  const instructor = data.instructors[0]!;
  const privateKey = Buffer.from(instructor.private_key, 'hex');
  const { token } = await loginOnce(base, instructor.id, instructor.private_key);
  await call(base, '/project/', token);
  await call(base, '/submission/', token);
  const cipher = new PublicKeyCipher();
  const myKey = await publicKeyOf(privateKey);
  for (let attempt = 0; attempt < 20; attempt++) {
    const key = await call(base, '/pdf-to-audio/upload-key', token);
    if (key.is_success !== true) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const aesKey = await cipher.decrypt(myKey, Buffer.from(key.encrypted_aes_key, 'base64'));
    const body = Buffer.from(cborEncode({ task_uuid: key.task_uuid, speed: 140, encrypted_file: aesGcmEncrypt(aesKey, await fixturePdf(0)) }));
    await call(base, '/pdf-to-audio/execute', token, body);
    for (let poll = 0; poll < 100; poll++) {
      const status = await call(base, `/pdf-to-audio/conversion-status/${key.task_uuid}`, token);
      if (status.is_done) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await call(base, `/pdf-to-audio/converted-audio/${key.task_uuid}`, token);
    return;
  }
  throw new Error('twin warm-up: the converter stayed busy');
}
