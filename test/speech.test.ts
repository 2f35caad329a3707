// twin/speech.ts: a valid WAV whose length follows words / speed, capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SECONDS, SAMPLE_RATE, synthesizeSpeech } from '../twin/speech.ts';

function readWav(wav: Uint8Array) {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const ascii = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4));
  return {
    tags: [ascii(0), ascii(8), ascii(12), ascii(36)],
    riffSize: view.getUint32(4, true),
    format: view.getUint16(20, true),
    channels: view.getUint16(22, true),
    rate: view.getUint32(24, true),
    bits: view.getUint16(34, true),
    dataBytes: view.getUint32(40, true),
    seconds: view.getUint32(40, true) / 2 / view.getUint32(24, true),
  };
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 10}`).join(' ');

test('the output is a RIFF/WAVE PCM 16-bit mono 8 kHz file', () => {
  const wav = synthesizeSpeech('Hello world', 140);
  const h = readWav(wav);
  assert.deepEqual(h.tags, ['RIFF', 'WAVE', 'fmt ', 'data']);
  assert.deepEqual([h.format, h.channels, h.rate, h.bits], [1, 1, SAMPLE_RATE, 16]);
  assert.equal(h.riffSize, wav.length - 8);
  assert.equal(h.dataBytes, wav.length - 44);
  assert.ok(wav.subarray(44).some((b) => b !== 0), 'not silence');
});

test('duration is words / speed minutes', () => {
  assert.equal(readWav(synthesizeSpeech(words(140), 140)).seconds, 60);
  assert.equal(readWav(synthesizeSpeech(words(50), 100)).seconds, 30);
  assert.equal(readWav(synthesizeSpeech(words(10), 300)).seconds, 2);
});

test('audio is capped, however long the text', () => {
  assert.equal(readWav(synthesizeSpeech(words(5000), 80)).seconds, MAX_SECONDS);
});

test('same input, same bytes; other text, other bytes', () => {
  assert.deepEqual(synthesizeSpeech('The robust model.', 120), synthesizeSpeech('The robust model.', 120));
  assert.notDeepEqual(synthesizeSpeech('The robust model.', 120), synthesizeSpeech('The noisy method.', 120));
});

test('no words gives an empty but valid WAV; speed outside 80..300 throws', () => {
  assert.equal(readWav(synthesizeSpeech('  \n ', 140)).dataBytes, 0);
  assert.throws(() => synthesizeSpeech('hi', 79), RangeError);
  assert.throws(() => synthesizeSpeech('hi', 301), RangeError);
  assert.throws(() => synthesizeSpeech('hi', Number.NaN), RangeError);
});
