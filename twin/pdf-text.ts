// The twin's stand-in for PyMuPDF (HMP-API.md, "PDF to audio"): the text of
// an uploaded PDF, so that a PDF without text gets HMP's 400.
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The bytes are not a PDF that can be read: the twin answers 400, as HMP does. */
export class NotAPdfError extends Error {
  constructor(reason: string) {
    super(`not a PDF: ${reason}`);
    this.name = 'NotAPdfError';
  }
}

const PDF_MAGIC = '%PDF-';

/**
 * All text of the PDF, pages separated by a newline; '' when it has none.
 * Under Node pdfjs runs its "worker" on this thread (no worker thread to manage).
 */
export async function extractPdfText(bytes: Uint8Array): Promise<string> {
  if (Buffer.from(bytes.subarray(0, PDF_MAGIC.length)).toString('latin1') !== PDF_MAGIC) {
    throw new NotAPdfError(`it does not start with ${PDF_MAGIC}`);
  }
  // A copy: pdfjs transfers (detaches) the buffer it is given and refuses Buffers.
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: VerbosityLevel.ERRORS, isEvalSupported: false });
  let doc;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy();
    throw new NotAPdfError(err instanceof Error ? err.message : String(err));
  }
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
    }
    return pages.join('\n').trim();
  } finally {
    await doc.destroy();
  }
}
