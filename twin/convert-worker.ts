// One worker thread of twin/convert-pool.ts: a conversion's CPU work (pdf.js
// text extraction, then speech synthesis), here so that it does not stall the
// twin's event loop. One job at a time; the audio goes back transferred.
import { parentPort } from 'node:worker_threads';
import type { Job, Outcome } from './convert-pool.ts';
import { extractPdfText, NotAPdfError } from './pdf-text.ts';
import { synthesizeSpeech } from './speech.ts';

async function convert({ pdf, speed }: Job): Promise<Outcome> {
  try {
    const text = await extractPdfText(pdf);
    return text.trim() === '' ? { fail: 'no-text' } : { audio: synthesizeSpeech(text, speed) };
  } catch (err) {
    return err instanceof NotAPdfError ? { fail: 'not-a-pdf' } : { fail: 'error', error: err as Error };
  }
}

parentPort!.on('message', async (job: Job) => {
  const out = await convert(job);
  parentPort!.postMessage(out, 'audio' in out ? [out.audio.buffer as ArrayBuffer] : []);
});
