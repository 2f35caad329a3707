// Secrets out of server log lines before anything is stored or shown (pure):
// bearer tokens, JWTs, the login's signatures and challenges, keys and
// passwords in query strings or echoed request bodies, and any long base64 or
// hex run (a key, a token or a signature whatever it is called).
const MASK = '***';

const RULES: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[^\s"',]+/gi, `$1 ${MASK}`],
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, MASK],
  // key=value in query strings and form bodies
  [/\b((?:access_|refresh_)?token|password|passwd|secret|signature|challenge|private_key|api_key|key)=[^&\s"',]+/gi, `$1=${MASK}`],
  // 'key': 'value' / "key": "value" in echoed bodies (Python reprs, JSON)
  [/(['"](?:(?:access_|refresh_)?token|password|secret|signature|challenge|private_key|public_key|key|encrypted_key|aes_key)['"]\s*:\s*)(b?['"])[^'"]*(['"])/gi, `$1$2${MASK}$3`],
  [/\b[0-9a-f]{32,}\b/gi, MASK],
];

/** A long run of base64 characters that looks random (mixed case and digits), not a file path. */
const LONG_RUN = /[A-Za-z0-9+/_-]{40,}={0,2}/g;
const looksRandom = (s: string) => /[A-Z]/.test(s) && /[a-z]/.test(s) && (s.match(/\d/g)?.length ?? 0) >= 4;

export function maskSecrets(line: string): string {
  let out = line;
  for (const [re, to] of RULES) out = out.replace(re, to);
  return out.replace(LONG_RUN, (s) => (looksRandom(s) ? MASK : s));
}
