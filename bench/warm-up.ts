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
import { call as callAs, loginOnce } from './floor.ts';

export async function warmUpTwin(base: string, data: TestData): Promise<void> {
  const instructor = data.instructors[0]!;
  const privateKey = Buffer.from(instructor.private_key, 'hex');
  const { token } = await loginOnce(base, instructor.id, instructor.private_key);
  const call = (path: string, body?: Buffer) => callAs('twin warm-up', `${base}${path}`, token, body);
  await call('/project/');
  await call('/submission/');
  const cipher = new PublicKeyCipher();
  const myKey = await publicKeyOf(privateKey);
  for (let attempt = 0; attempt < 20; attempt++) {
    const key = await call('/pdf-to-audio/upload-key');
    if (key.is_success !== true) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const aesKey = await cipher.decrypt(myKey, Buffer.from(key.encrypted_aes_key, 'base64'));
    const body = Buffer.from(cborEncode({ task_uuid: key.task_uuid, speed: 140, encrypted_file: aesGcmEncrypt(aesKey, await fixturePdf(0)) }));
    await call('/pdf-to-audio/execute', body);
    for (let poll = 0; poll < 100; poll++) {
      const status = await call(`/pdf-to-audio/conversion-status/${key.task_uuid}`);
      if (status.is_done) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await call(`/pdf-to-audio/converted-audio/${key.task_uuid}`);
    return;
  }
  throw new Error('twin warm-up: the converter stayed busy');
}
