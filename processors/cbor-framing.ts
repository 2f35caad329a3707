// A CBOR map whose last value is a large byte string, framed by hand around
// the parts of that string: one copy of the bytes instead of cbor-x copying
// them into its own buffer. The entries are cbor-x's bytes; the map head is
// the minimal one (cbor-x writes a 16-bit length): test/processors-upload-body.test.ts.
import { encode as cborEncode } from 'cbor-x';

/** The head of a CBOR item of major type `major` with argument `n` (RFC 8949 3.1). */
export function cborHead(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  // The argument in 1, 2, 4 or 8 bytes, announced by 24 + log2 of that size.
  const size = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x100000000 ? 4 : 8;
  const b = Buffer.alloc(1 + size);
  b[0] = (major << 5) | (24 + Math.log2(size));
  if (size === 8) b.writeBigUInt64BE(BigInt(n), 1);
  else b.writeUIntBE(n, 1, size);
  return b;
}

const MAP = 5;
const BYTES = 2;

/** CBOR of `{...head, [key]: concat(parts)}`: the small entries by cbor-x, the byte string framed around `parts`. */
export function cborMapWithBytes(head: Record<string, unknown>, key: string, parts: readonly Uint8Array[]): Buffer {
  const entries = Object.entries(head);
  const size = parts.reduce((n, p) => n + p.length, 0);
  const pieces: Uint8Array[] = [cborHead(MAP, entries.length + 1)];
  for (const [k, v] of entries) pieces.push(cborEncode(k), cborEncode(v));
  pieces.push(cborEncode(key), cborHead(BYTES, size), ...parts);
  return Buffer.concat(pieces);
}
