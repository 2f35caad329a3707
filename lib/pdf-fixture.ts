// Deterministic PDF fixtures for the PDF-to-audio journeys (HMP-API.md,
// "PDF to audio"), shaped like real papers: a few pages of extractable
// English-like text plus raster figures that make up the rest of the size.
// Text-only fixtures of 1-5 MB would hold 70k-350k words (hours of speech),
// which no real paper has, so a conversion would measure nothing useful.
import { PDFContentStream, PDFDocument, StandardFonts, breakTextIntoLines, degrees, drawImage, drawLinesOfText, rgb } from 'pdf-lib';
import type { PDFFont, PDFOperator, PDFPage } from 'pdf-lib';
import { mulberry32, randomInt } from '../plugins/artillery-plugin-hmp/prng.ts';

export interface PdfOptions {
  seed: number;
  targetBytes: number;
  title?: string;
  /**
   * Pages of text, an integer >= 1 (default 6, about 4,700 words). A target
   * too small to hold them gets as many as fit.
   */
  textPages?: number;
}

export const DEFAULT_TEXT_PAGES = 6;

// Fixed dates and producer: pdf-lib would stamp "now" and break byte-identity.
const FIXED_DATE = new Date('2024-01-01T00:00:00Z');
const PRODUCER = 'hmp-load pdf-fixture';

const PAGE: [number, number] = [612, 792]; // US Letter, points
const MARGIN = 54;
const TEXT_WIDTH = PAGE[0] - 2 * MARGIN;
const FONT_SIZE = 10;
const LINE_HEIGHT = 12;
const LINES_PER_PAGE = Math.floor((PAGE[1] - 2 * MARGIN) / LINE_HEIGHT);
const TEXT_TOP = PAGE[1] - MARGIN - FONT_SIZE;

// Figures: raw 8-bit RGB noise, stored unfiltered (noise does not compress,
// so deflating it would only cost time); one figure per page, with a caption.
const FIGURE_MAX_BYTES = 512 * 1024; // a 5 MB fixture gets ~10 figures
const MIN_FIGURE_BYTES = 1024; // a smaller remainder is left out (a figure costs ~500 bytes besides its pixels)
const FIGURE_BOX: [number, number] = [TEXT_WIDTH, 440]; // points: where a figure is drawn, aspect kept
const FIGURE_ASPECT = 4 / 3;

const WORDS = {
  det: ['the', 'a', 'this', 'each', 'our', 'every', 'that'],
  adj: ['robust', 'novel', 'empirical', 'latent', 'sparse', 'formal', 'adaptive', 'secure', 'noisy', 'early',
    'large', 'simple', 'careful', 'recent', 'stable', 'shared', 'partial', 'hidden', 'typical', 'rigorous'],
  noun: ['model', 'paper', 'method', 'student', 'result', 'dataset', 'reviewer', 'proof', 'system', 'protocol',
    'sample', 'network', 'baseline', 'theorem', 'survey', 'signal', 'estimate', 'draft', 'argument', 'measure'],
  verb: ['improves', 'explains', 'predicts', 'supports', 'reduces', 'extends', 'describes', 'requires',
    'confirms', 'questions', 'outlines', 'compares', 'encodes', 'measures', 'revisits', 'justifies'],
  prep: ['with', 'for', 'under', 'across', 'without', 'beyond', 'within', 'against'],
};

/** English-like sentences: "The robust model explains a sparse proof under each draft." */
function sentencesFrom(random: () => number): () => string {
  const pick = (list: string[]) => list[randomInt(random, 0, list.length - 1)];
  const phrase = () => `${pick(WORDS.det)} ${random() < 0.6 ? `${pick(WORDS.adj)} ` : ''}${pick(WORDS.noun)}`;
  return () => {
    const s = `${phrase()} ${pick(WORDS.verb)} ${phrase()}${random() < 0.5 ? ` ${pick(WORDS.prep)} ${phrase()}` : ''}.`;
    return s[0].toUpperCase() + s.slice(1);
  };
}

/** Endless paragraphs of 3-7 sentences. */
function proseFrom(random: () => number): () => string {
  const sentence = sentencesFrom(random);
  return () => Array.from({ length: randomInt(random, 3, 7) }, sentence).join(' ');
}

/** Pixel size of a figure. */
type Figure = { width: number; height: number };

/** A figure of about `pixels` pixels in FIGURE_ASPECT (never 0 wide or high). */
function figureOf(pixels: number): Figure {
  const width = Math.max(1, Math.round(Math.sqrt(pixels * FIGURE_ASPECT)));
  return { width, height: Math.max(1, Math.floor(pixels / width)) };
}

/** `length` seeded random bytes, 4 per draw. */
function noise(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  let i = 0;
  for (; i + 4 <= length; i += 4) view.setUint32(i, random() * 0x1_0000_0000);
  for (; i < length; i++) bytes[i] = random() * 256;
  return bytes;
}

async function newDocument(title: string): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(title);
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  return doc;
}

/** Lines of text from the top margin down, as operators. */
function textOperators(page: PDFPage, font: PDFFont, lines: string[], y = TEXT_TOP): PDFOperator[] {
  return drawLinesOfText(lines.map((line) => font.encodeText(line)), {
    font: page.node.newFontDictionary(font.name, font.ref), size: FONT_SIZE, lineHeight: LINE_HEIGHT,
    x: MARGIN, y, color: rgb(0, 0, 0), rotate: degrees(0), xSkew: degrees(0), ySkew: degrees(0),
  });
}

/**
 * The document: `textPages` pages of seeded prose, with one page per figure
 * spread among them. Text, captions and pixels come from three separate
 * seeded streams, so the text pages do not depend on the figures. Content
 * streams are deflated, as in real PDFs; image data is stored raw.
 */
async function render(seed: number, title: string, textPages: number, figures: Figure[]): Promise<Uint8Array> {
  const doc = await newDocument(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const paragraph = proseFrom(mulberry32(seed));
  const caption = sentencesFrom(mulberry32(seed ^ 0xca9710));
  const pixels = mulberry32(seed ^ 0xf16e2e5);
  const width = (t: string) => font.widthOfTextAtSize(t, FONT_SIZE);
  const setContent = (page: PDFPage, operators: PDFOperator[]) =>
    page.node.addContentStream(doc.context.register(PDFContentStream.of(doc.context.obj({}), operators, true)));

  const lines: string[] = [title, ''];
  let next = 0; // next figure to place
  for (let p = 1; p <= textPages; p++) {
    while (lines.length < LINES_PER_PAGE) lines.push(...breakTextIntoLines(paragraph(), [' '], TEXT_WIDTH, width));
    const page = doc.addPage(PAGE);
    setContent(page, textOperators(page, font, lines.splice(0, LINES_PER_PAGE)));
    // Figure k (from 0) follows text page 1 + floor(k * textPages / figures.length): spread out, first after page 1.
    for (; next < figures.length && 1 + Math.floor((next * textPages) / figures.length) === p; next++) {
      const { width: w, height: h } = figures[next];
      const image = doc.context.register(doc.context.stream(noise(pixels, 3 * w * h), {
        Type: 'XObject', Subtype: 'Image', Width: w, Height: h, ColorSpace: 'DeviceRGB', BitsPerComponent: 8,
      }));
      const figurePage = doc.addPage(PAGE);
      const scale = Math.min(FIGURE_BOX[0] / w, FIGURE_BOX[1] / h);
      const [drawnWidth, drawnHeight] = [Math.round(w * scale), Math.round(h * scale)];
      const bottom = PAGE[1] - MARGIN - drawnHeight;
      const captionLines = breakTextIntoLines(`Figure ${next + 1}. ${caption()} ${caption()}`, [' '], TEXT_WIDTH, width);
      setContent(figurePage, [
        ...drawImage(figurePage.node.newXObject('Fig', image), {
          x: MARGIN + Math.round((TEXT_WIDTH - drawnWidth) / 2), y: bottom, width: drawnWidth, height: drawnHeight,
          rotate: degrees(0), xSkew: degrees(0), ySkew: degrees(0),
        }),
        ...textOperators(figurePage, font, captionLines, bottom - 2 * LINE_HEIGHT),
      ]);
    }
  }
  return doc.save();
}

/**
 * A paper-like PDF within a few percent of targetBytes (for targets above a
 * few KB): `textPages` pages of extractable text (fewer if they alone would
 * exceed the target), the rest raster figures of incompressible noise, so the
 * bytes are real. Same options -> byte-identical output. Sizing takes small
 * renders (the text alone, then with 1x1 figures: the cost of everything but
 * the pixels) and one full render.
 */
export async function makePdf(options: PdfOptions): Promise<Uint8Array> {
  const { seed, targetBytes } = options;
  const title = options.title ?? `HMP load-test fixture (seed ${seed})`;
  const textPages = options.textPages ?? DEFAULT_TEXT_PAGES;
  if (!Number.isInteger(textPages) || textPages < 1) throw new RangeError(`textPages must be an integer >= 1, got ${textPages}`);

  // As many pages of text as fit, up to textPages (only a tiny target gets fewer).
  let pages = textPages;
  let text = await render(seed, title, pages, []);
  if (text.length > targetBytes && pages > 1) {
    const one = await render(seed, title, 1, []);
    const perPage = (text.length - one.length) / (pages - 1);
    pages = Math.min(pages - 1, Math.max(1, 1 + Math.floor((targetBytes - one.length) / perPage)));
    text = pages === 1 ? one : await render(seed, title, pages, []);
    while (text.length > targetBytes && pages > 1) text = await render(seed, title, --pages, []);
  }
  const rest = targetBytes - text.length;
  if (rest < MIN_FIGURE_BYTES) return text;

  const count = Math.ceil(rest / FIGURE_MAX_BYTES);
  const dots = Array.from({ length: count }, () => ({ width: 1, height: 1 }));
  const withoutPixels = (await render(seed, title, pages, dots)).length - 3 * count;
  const budget = Math.max(count, Math.floor((targetBytes - withoutPixels) / 3)); // pixels for all figures
  const figures = Array.from({ length: count }, (_, k) =>
    figureOf(Math.floor(((k + 1) * budget) / count) - Math.floor((k * budget) / count)));
  return render(seed, title, pages, figures);
}

/** A valid one-page PDF with no text at all (HMP answers 400 to it). */
export async function makeTextlessPdf(): Promise<Uint8Array> {
  const doc = await newDocument('No text');
  doc.addPage(PAGE).drawRectangle({ x: MARGIN, y: MARGIN, width: 200, height: 100, color: rgb(0.2, 0.4, 0.8) });
  return doc.save();
}
