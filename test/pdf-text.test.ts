// twin/pdf-text.ts: text out of fixtures, '' for textless PDFs, NotAPdfError otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePdf, makeTextlessPdf } from '../lib/pdf-fixture.ts';
import { extractPdfText, NotAPdfError } from '../twin/pdf-text.ts';

test('the text of a generated fixture comes back out (round trip)', async () => {
  const bytes = await makePdf({ seed: 1, targetBytes: 1024 * 1024, title: 'Round trip' });
  const text = await extractPdfText(bytes);
  assert.ok(text.startsWith('Round trip\n'), text.slice(0, 80));
  assert.ok(text.split(/\s+/).length > 4_000, 'every text page contributes words');
  assert.match(text, /^[A-Z][a-z ]+\.$/m, 'lines of English-like sentences');
});

test('the caller keeps its bytes, and a Buffer is accepted', async () => {
  const bytes = await makePdf({ seed: 2, targetBytes: 20_000 });
  const before = bytes.length;
  assert.notEqual(await extractPdfText(Buffer.from(bytes)), '');
  await extractPdfText(bytes);
  assert.equal(bytes.length, before, 'pdfjs must not detach the caller\'s buffer');
});

test('a PDF without text gives an empty string', async () => {
  assert.equal(await extractPdfText(await makeTextlessPdf()), '');
});

test('bytes that are not a PDF throw NotAPdfError', async () => {
  const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
  await assert.rejects(extractPdfText(random), NotAPdfError);
  await assert.rejects(extractPdfText(new Uint8Array(0)), NotAPdfError);
  await assert.rejects(extractPdfText(new TextEncoder().encode('%PDF-1.7 but nothing else')), NotAPdfError);
});
