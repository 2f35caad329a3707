// The twin's stand-in for espeak-ng (HMP-API.md, "PDF to audio"): a WAV as
// long as the text would take to read at `speed` words per minute, one tone
// per character. Like real synthesis it renders the whole text, so CPU grows
// with the text; only the first MAX_SECONDS are kept, so memory stays bounded.

export const SAMPLE_RATE = 8000;
export const MAX_SECONDS = 60;
export const MIN_SPEED = 80;
export const MAX_SPEED = 300;
const AMPLITUDE = 8000; // a quarter of 16-bit full scale
const WAV_HEADER_BYTES = 44;

/** Mono 16-bit PCM WAV of `text` read at `speed` words per minute (80..300). */
export function synthesizeSpeech(text: string, speed: number): Uint8Array {
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw new RangeError(`speed must be ${MIN_SPEED}..${MAX_SPEED} words per minute, got ${speed}`);
  }
  const words = text.split(/\s+/).filter(Boolean);
  const samplesPerWord = (SAMPLE_RATE * 60) / speed;
  const total = Math.round(words.length * samplesPerWord);
  const kept = Math.min(total, SAMPLE_RATE * MAX_SECONDS);
  const wav = wavHeader(kept);
  const pcm = new Int16Array(wav.buffer, WAV_HEADER_BYTES, kept);
  const scratch = new Int16Array(Math.ceil(samplesPerWord) + 1);
  words.forEach((word, w) => {
    // Each word gets exactly its share of time, split evenly among its characters.
    const wordStart = Math.round(w * samplesPerWord);
    const wordLength = Math.round((w + 1) * samplesPerWord) - wordStart;
    for (let c = 0; c < word.length; c++) {
      const start = Math.floor((c * wordLength) / word.length);
      const length = Math.floor(((c + 1) * wordLength) / word.length) - start;
      renderTone(scratch, length, 200 + (word.charCodeAt(c) % 64) * 20);
      const at = wordStart + start;
      if (at < kept) pcm.set(scratch.subarray(0, Math.min(length, kept - at)), at);
    }
  });
  return wav;
}

/** A sine of `hz` into out[0..length), by the two-term recurrence (no Math.sin per sample). */
function renderTone(out: Int16Array, length: number, hz: number): void {
  const k = 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE);
  let previous = 0;
  let current = AMPLITUDE * Math.sin((2 * Math.PI * hz) / SAMPLE_RATE);
  for (let i = 0; i < length; i++) {
    out[i] = previous; // Int16Array stores truncate; |value| <= AMPLITUDE
    const next = k * current - previous;
    previous = current;
    current = next;
  }
}

/** A buffer for `samples` samples with the RIFF/WAVE header filled in. */
function wavHeader(samples: number): Uint8Array {
  const dataBytes = samples * 2;
  const wav = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(wav.buffer);
  const ascii = (at: number, s: string) => { for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, SAMPLE_RATE, true);
  view.setUint32(28, SAMPLE_RATE * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return wav;
}
