// twin/convert-pool.ts: conversions run in worker threads with the same
// bytes and errors as in-thread, and leave the twin's event loop free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { aesGcmEncrypt, publicKeyOf, PublicKeyCipher } from '../lib/hmp-crypto.ts';
import { makePdf, makeTextlessPdf } from '../lib/pdf-fixture.ts';
import { ConvertPool } from '../twin/convert-pool.ts';
import { pdfToSpeech } from '../twin/converter.ts';
import { extractPdfText } from '../twin/pdf-text.ts';
import { HttpError } from '../twin/router.ts';
import { startTwin } from '../twin/server.ts';
import { synthesizeSpeech } from '../twin/speech.ts';
import { call, login, seed } from './support/twin-session.ts';

const inThread = async (pdf: Uint8Array, speed: number) => synthesizeSpeech(await extractPdfText(pdf), speed);

/** Runs `work` while a 5 ms timer in this thread notes how late it fires: the worst stall, in ms. */
/** The share of `work`'s time the event loop was busy (0..1): time slices lost to other processes do not count, as a timer's lateness would. */
async function busyShare(work: () => Promise<unknown>): Promise<number> {
  const start = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(start).utilization;
}

async function worstStall(work: () => Promise<unknown>): Promise<number> {
  let worst = 0;
  let expected = performance.now() + 5;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 5;
  }, 5);
  try {
    await work();
    await new Promise((r) => setTimeout(r, 10)); // lets a tick delayed by the work's last block report
  } finally {
    clearInterval(timer);
  }
  return worst;
}

test('same audio bytes as extraction + synthesis in this thread; the PDF is handed over', async () => {
  const pool = new ConvertPool(1);
  try {
    for (const speed of [80, 140, 300]) {
      const pdf = await makePdf({ seed: speed, targetBytes: 200_000 });
      const expected = await inThread(pdf, speed);
      const out = await pool.run({ pdf, speed });
      assert.ok('audio' in out);
      assert.deepEqual(Buffer.from(out.audio), Buffer.from(expected));
      assert.equal(pdf.byteLength, 0, 'a PDF with its own buffer is transferred, not copied');
    }
    // A view into a bigger buffer is copied: the caller keeps its buffer.
    const pdf = await makePdf({ seed: 1, targetBytes: 20_000 });
    const big = new Uint8Array(pdf.length + 8);
    big.set(pdf, 8);
    assert.ok('audio' in (await pool.run({ pdf: big.subarray(8), speed: 140 })));
    assert.equal(big.byteLength, pdf.length + 8);
  } finally {
    await pool.close();
  }
});

test("pdfToSpeech keeps HMP's 400s; a closed pool refuses work", async () => {
  const pool = new ConvertPool(1);
  const rejects400 = (pdf: Uint8Array, detail: string) =>
    assert.rejects(pdfToSpeech(pool, pdf, 140, 0), (err) => err instanceof HttpError && err.status === 400 && err.detail === detail);
  await rejects400(new TextEncoder().encode('%PDF-1.7 but nothing else'), 'The file is not a PDF');
  await rejects400(new Uint8Array(100), 'The file is not a PDF');
  await rejects400(await makeTextlessPdf(), 'The PDF has no text to convert');
  // Other errors come back as thrown in the worker (here synthesizeSpeech's).
  await assert.rejects(pdfToSpeech(pool, await makePdf({ seed: 4, targetBytes: 20_000 }), 50, 0), { name: 'RangeError', message: /speed must be 80\.\.300/ });
  const wav = await pdfToSpeech(pool, await makePdf({ seed: 4, targetBytes: 20_000 }), 140, 0);
  assert.equal(Buffer.from(wav.subarray(0, 4)).toString(), 'RIFF');
  await pool.close();
  await assert.rejects(pool.run({ pdf: new Uint8Array(10), speed: 140 }), /closed/);
});

test('the event loop stays responsive while the twin converts a multi-MB PDF', async (t) => {
  // 24 pages of text: synthesis alone is then one synchronous block of 100+ ms in-thread.
  const make = () => makePdf({ seed: 9, targetBytes: 4 * 1024 * 1024, textPages: 24, title: 'Responsive' });
  const pdf = await make();
  let inThreadBusy = 0;
  const inThreadStall = await worstStall(async () => (inThreadBusy = await busyShare(() => inThread(pdf, 140))));

  const twin = await startTwin({ apiVersion: '1.1', convertMsPerMb: 0 });
  try {
    const s = await seed(twin);
    const ins = s.up.instructors[0]!;
    const key = Buffer.from(ins.private_key, 'hex');
    const token = await login(twin.url, ins.id, key);
    const cipher = new PublicKeyCipher();
    const uk = await call(twin.url, 'GET', '/pdf-to-audio/upload-key', { token });
    const aesKey = await cipher.decrypt(await publicKeyOf(key), Buffer.from(uk.json.encrypted_aes_key, 'base64'));
    const body = { encrypted_file: aesGcmEncrypt(aesKey, await make()), speed: 140, task_uuid: uk.json.task_uuid };
    // Upload first: decrypting the upload is request handling, which stays on the event loop.
    assert.deepEqual((await call(twin.url, 'POST', '/pdf-to-audio/execute', { token, cbor: body })).json, { is_success: true });

    let worstHealth = 0;
    let polls = 0;
    let workerBusy = 0;
    const workerStall = await worstStall(async () => (workerBusy = await busyShare(async () => {
      for (let done = false; !done; ) {
        const started = performance.now();
        assert.equal((await call(twin.url, 'GET', '/health')).status, 200);
        worstHealth = Math.max(worstHealth, performance.now() - started);
        const st = await call(twin.url, 'GET', `/pdf-to-audio/conversion-status/${uk.json.task_uuid}`, { token });
        assert.equal(st.json.has_error, false);
        done = st.json.is_done;
        polls++;
        await new Promise((r) => setTimeout(r, 40)); // a client's pace: the loop's busy share is the twin's, not the polling's
      }
    })));
    t.diagnostic(`worst stall: ${inThreadStall.toFixed(1)} ms in-thread, ${workerStall.toFixed(1)} ms with the worker; loop busy ${(100 * inThreadBusy).toFixed(0)}% in-thread, ${(100 * workerBusy).toFixed(0)}% with the worker (polling); worst /health ${worstHealth.toFixed(1)} ms over ${polls} polls`);
    assert.ok(polls >= 3, `the conversion should outlast a few polls (${polls})`);
    assert.ok(inThreadBusy >= 0.8, `in-thread conversion should keep the loop busy (${(100 * inThreadBusy).toFixed(0)}%): the check below would prove nothing`);
    // The conversion's CPU is off the loop: what keeps it busy is answering the polls. Measured as the
    // loop's own busy share, not as timer lateness: beside other tests on 2 cores a timer is late
    // by 100+ ms either way. The stall figures are reported; their target is the bench's.
    assert.ok(workerBusy < 0.6, `the event loop was busy ${(100 * workerBusy).toFixed(0)}% of a worker conversion (in-thread: ${(100 * inThreadBusy).toFixed(0)}%)`);
  } finally {
    await twin.close();
  }
});
