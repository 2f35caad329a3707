// Escaping for every string that reaches the HTML or the Markdown (pure).
// Anything from the results is untrusted: an error body can hold markup.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content and quoted attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&`
 * as \u escapes, so no `</script>` or `<!--` can end or change the element;
 * U+2028/2029 too, for any reader that treats the text as script.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A name as a Markdown code span when it is a plain identifier, else escaped text. */
export function markdownName(s: string): string {
  return /^[A-Za-z0-9_.:/-]{1,200}$/.test(s) ? `\`${s}\`` : escapeMarkdown(s);
}

/**
 * Text for a Markdown table cell or line: `&`, `<`, `>` as entities (GitHub
 * and chat clients render inline HTML; quotes are plain text outside
 * attributes, so "can't" stays readable), Markdown punctuation
 * backslash-escaped, one line.
 */
export function escapeMarkdown(s: unknown): string {
  return String(s).replace(/[\r\n]+/g, ' ').replace(/[&<>]/g, (c) => HTML[c]!)
    .replace(/([\\`*_{}[\]#+!|~])/g, '\\$1')
    .replace(/^(\s*)-/, '$1\\-');
}
