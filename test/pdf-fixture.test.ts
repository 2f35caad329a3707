// lib/pdf-fixture.ts: real, deterministic, paper-like PDFs of the size asked
// for: a bounded amount of text, figures for the rest of the bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { DEFAULT_TEXT_PAGES, makePdf, makeTextlessPdf } from '../lib/pdf-fixture.ts';
import { extractPdfText } from '../twin/pdf-text.ts';

const MiB = 1024 * 1024;

const wordsOf = async (bytes: Uint8Array) => (await extractPdfText(bytes)).split(/\s+/).filter(Boolean).length;
const within10 = (bytes: Uint8Array, target: number) =>
  assert.ok(Math.abs(bytes.length - target) / target < 0.1, `got ${bytes.length} bytes for ${target}`);

/** Pixel bytes of every image XObject in the document. */
function imageBytes(doc: PDFDocument): number[] {
  return doc.context.enumerateIndirectObjects()
    .filter(([, object]) => object instanceof PDFRawStream && object.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'))
    .map(([, object]) => (object as PDFRawStream).getContents().length);
}

test('a 1 MB fixture is within 10% of the target: a few pages of text, figures for the rest', async () => {
  const bytes = await makePdf({ seed: 1, targetBytes: MiB });
  within10(bytes, MiB);
  const doc = await PDFDocument.load(bytes);
  const images = imageBytes(doc);
  assert.ok(images.length >= 2, `${images.length} figures`);
  assert.equal(doc.getPageCount(), DEFAULT_TEXT_PAGES + images.length, 'one page per figure');
  assert.ok(images.reduce((a, b) => a + b) > 0.9 * bytes.length, 'figures make up most of the size');
  const words = await wordsOf(bytes);
  assert.ok(words > 4_000 && words < 5_500, `${words} words: about a 6-page paper`);
});

test('a 5 MB fixture has the text of a paper, not of a book, and builds fast', async () => {
  const started = performance.now();
  const bytes = await makePdf({ seed: 5, targetBytes: 5 * MiB });
  const ms = performance.now() - started;
  within10(bytes, 5 * MiB);
  assert.ok(ms < 2_000, `${Math.round(ms)} ms`);
  const words = await wordsOf(bytes);
  assert.ok(words > 4_000 && words < 10_000, `${words} words`);
  // Noise figures: the bytes are real, deflate cannot shrink them away.
  assert.ok(deflateSync(bytes, { level: 1 }).length > 0.95 * bytes.length);
});

test('textPages sets the amount of text; the size still comes out right', async () => {
  const [one, twenty] = await Promise.all([1, 20].map((textPages) => makePdf({ seed: 2, targetBytes: 2 * MiB, textPages })));
  within10(one, 2 * MiB);
  within10(twenty, 2 * MiB);
  const [w1, w20] = [await wordsOf(one), await wordsOf(twenty)];
  assert.ok(w1 > 500 && w1 < 1_000, `1 page: ${w1} words`);
  assert.ok(w20 > 14_000 && w20 < 17_000, `20 pages: ${w20} words`);
  for (const textPages of [0, -1, 1.5, NaN]) {
    await assert.rejects(makePdf({ seed: 1, targetBytes: MiB, textPages }), RangeError, String(textPages));
  }
});

test('small targets land within 10%, with as many pages of text as fit', async () => {
  for (const targetBytes of [8 * 1024, 20_000, 24 * 1024, 50 * 1024]) {
    const bytes = await makePdf({ seed: 3, targetBytes });
    within10(bytes, targetBytes);
    assert.ok(await wordsOf(bytes) > 500, `${targetBytes} bytes`);
  }
  const tiny = await PDFDocument.load(await makePdf({ seed: 3, targetBytes: 8 * 1024 }));
  const textPages = tiny.getPageCount() - imageBytes(tiny).length;
  assert.ok(textPages >= 1 && textPages < DEFAULT_TEXT_PAGES, `${textPages} pages of text`);
});

test('same options give byte-identical output; another seed or textPages differs', async () => {
  const options = { seed: 7, targetBytes: 300_000, title: 'Determinism' };
  const [a, b, other, shorter] = await Promise.all([makePdf(options), makePdf(options), makePdf({ ...options, seed: 8 }),
    makePdf({ ...options, textPages: 2 })]);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, other);
  assert.notDeepEqual(a, shorter);
});

test('the title goes into the metadata, with fixed dates, and opens the text', async () => {
  const bytes = await makePdf({ seed: 1, targetBytes: 200_000, title: 'My paper' });
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  assert.equal(doc.getTitle(), 'My paper');
  assert.equal(doc.getCreationDate()?.toISOString(), '2024-01-01T00:00:00.000Z');
  const text = await extractPdfText(bytes);
  assert.ok(text.startsWith('My paper\n'), text.slice(0, 40));
  assert.match(text, /^Figure 1\. [A-Z]/m, 'figures have captions');
});

test('makeTextlessPdf is a valid one-page PDF', async () => {
  const doc = await PDFDocument.load(await makeTextlessPdf());
  assert.equal(doc.getPageCount(), 1);
});
