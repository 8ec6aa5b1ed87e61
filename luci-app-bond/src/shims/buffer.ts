// The part of node's Buffer that src/uci and src/config use (utf8 text and base64), for the
// page, where they run in the browser. Decoding is as lenient as node's (whitespace and
// stray characters skipped, URL-safe letters accepted, stops at '='); the config's key rule
// re-encodes and compares, so only canonical base64 passes, in node and here alike.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Map<string, number>([...ALPHABET].map((c, i) => [c, i] as [string, number]));
VALUE.set('-', 62);
VALUE.set('_', 63);

export type BufferEncoding = 'utf8' | 'utf-8' | 'base64';

function decodeBase64(s: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of s) {
    if (c === '=') break;
    const v = VALUE.get(c);
    if (v === undefined) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

function encodeBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    s += i + 1 < b.length ? ALPHABET[(n >> 6) & 63]! : '=';
    s += i + 2 < b.length ? ALPHABET[n & 63]! : '=';
  }
  return s;
}

export class Bytes extends Uint8Array {
  override toString(encoding: BufferEncoding = 'utf8'): string {
    return encoding === 'base64' ? encodeBase64(this) : new TextDecoder().decode(this);
  }
}

export const BrowserBuffer = {
  from(input: string | ArrayLike<number>, encoding?: BufferEncoding): Bytes {
    let bytes: Uint8Array;
    if (typeof input !== 'string') bytes = Uint8Array.from(input);
    else if (encoding === 'base64') bytes = decodeBase64(input);
    else bytes = new TextEncoder().encode(input);
    const b = new Bytes(bytes.length);
    b.set(bytes);
    return b;
  },
};
