// libubox blob attributes (blob.h): the framing under both ubus messages and blobmsg.
// Each attribute is a big-endian u32 header (bit 31 "extended", bits 24..30 id, bits 0..23
// length including the header) followed by the payload and zero padding to 4 bytes; a
// parent's length counts its children padded.

const BLOB_HEADER_LEN = 4;
const BLOB_MAX_LEN = 0x00ffffff;
const EXTENDED = 0x80000000;

export interface BlobAttr {
  id: number;
  extended: boolean;
  payload: Buffer;
}

export function pad4(n: number): number {
  return (n + 3) & ~3;
}

export function encodeAttr(id: number, extended: boolean, parts: readonly Buffer[]): Buffer {
  let len = BLOB_HEADER_LEN;
  for (const p of parts) len += p.length;
  if (len > BLOB_MAX_LEN) throw new RangeError(`blob attribute of ${len} bytes exceeds the 24-bit length field`);
  const out = Buffer.alloc(pad4(len));
  out.writeUInt32BE(((extended ? EXTENDED : 0) | ((id & 0x7f) << 24) | len) >>> 0, 0);
  let at = BLOB_HEADER_LEN;
  for (const p of parts) at += p.copy(out, at);
  return out;
}

// Stricter than libubox's iterator, which silently stops at a truncated attribute: a
// truncated or overlong attribute here is an error, so that corruption is not mistaken
// for a shorter message.
export function decodeAttrs(buf: Buffer): BlobAttr[] {
  const attrs: BlobAttr[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < BLOB_HEADER_LEN) throw new RangeError(`${buf.length - at} stray bytes after the last blob attribute`);
    const idLen = buf.readUInt32BE(at);
    const len = idLen & BLOB_MAX_LEN;
    if (len < BLOB_HEADER_LEN || at + pad4(len) > buf.length) {
      throw new RangeError(`blob attribute at offset ${at} has length ${len}, ${buf.length - at} bytes left`);
    }
    attrs.push({
      id: (idLen >>> 24) & 0x7f,
      extended: (idLen & EXTENDED) !== 0,
      payload: buf.subarray(at + BLOB_HEADER_LEN, at + len),
    });
    at += pad4(len);
  }
  return attrs;
}

// C strings on the wire end at the first NUL, whatever follows it.
export function cString(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return bytes.toString('utf8', 0, nul < 0 ? bytes.length : nul);
}

export function cStringBytes(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}
