// A CBOR map whose last value is a large byte string, framed by hand around
// the parts of that string: one copy of the bytes instead of cbor-x copying
// them into its own buffer. The entries are cbor-x's bytes; the map head is
// the minimal one (cbor-x writes a 16-bit length): test/processors-upload-body.test.ts.
import { encode as cborEncode } from 'cbor-x';

/** The head of a CBOR item of major type `major` with argument `n` (RFC 8949 3.1). */
export function cborHead(major: number, n: number): Buffer {
  const mt = major << 5;
  if (n < 24) return Buffer.from([mt | n]);
  if (n < 0x100) return Buffer.from([mt | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = mt | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  if (n < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = mt | 26;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = mt | 27;
  b.writeBigUInt64BE(BigInt(n), 1);
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
