// blobmsg (libubox blobmsg.h): named, typed values in extended blob attributes, the
// encoding of every DATA and SIGNATURE in ubus. A field's payload is a u16 name length,
// the name, a NUL and zero padding to 4 bytes, then the value. Array elements carry
// empty names. The typed tree here keeps the wire type of every value, so bytes survive
// a decode/encode round trip; value.ts and blobmsg-json.ts map it to JS values and JSON.
import { cString, cStringBytes, decodeAttrs, encodeAttr, pad4 } from './blob.js';

export const BLOBMSG_TYPE = {
  unspec: 0,
  array: 1,
  table: 2,
  string: 3,
  int64: 4,
  int32: 5,
  int16: 6,
  int8: 7,
  double: 8,
} as const;

export type BlobmsgType = keyof typeof BLOBMSG_TYPE;

const TYPE_NAMES = Object.keys(BLOBMSG_TYPE) as BlobmsgType[];

export function blobmsgTypeName(id: number): BlobmsgType | undefined {
  return TYPE_NAMES[id];
}

// int8 is also BLOBMSG_TYPE_BOOL: libubox has no separate boolean. unspec normally has an
// empty payload (JSON null) but may carry bytes.
export type BlobmsgNode =
  | { type: 'unspec'; value: Buffer }
  | { type: 'array' | 'table'; value: BlobmsgField[] }
  | { type: 'string'; value: string }
  | { type: 'int64'; value: bigint }
  | { type: 'int32' | 'int16' | 'int8'; value: number }
  | { type: 'double'; value: number };

export type BlobmsgField = { name: string } & BlobmsgNode;

export function encodeBlobmsg(fields: readonly BlobmsgField[]): Buffer {
  return Buffer.concat(fields.map((f) => encodeField(f.name, f)));
}

function encodeField(name: string, node: BlobmsgNode): Buffer {
  const nameBytes = cStringBytes(name);
  if (nameBytes.length > 0xffff) throw new RangeError(`blobmsg name of ${nameBytes.length} bytes is too long`);
  const head = Buffer.alloc(pad4(2 + nameBytes.length + 1));
  head.writeUInt16BE(nameBytes.length, 0);
  nameBytes.copy(head, 2);
  return encodeAttr(BLOBMSG_TYPE[node.type], true, [head, encodeValue(node)]);
}

function encodeValue(node: BlobmsgNode): Buffer {
  switch (node.type) {
    case 'unspec':
      return node.value;
    case 'table':
      return encodeBlobmsg(node.value);
    case 'array':
      return Buffer.concat(node.value.map((f) => encodeField('', f)));
    case 'string':
      return Buffer.concat([cStringBytes(node.value), Buffer.alloc(1)]);
    case 'int64': {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(node.value);
      return b;
    }
    case 'int32': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(node.value);
      return b;
    }
    case 'int16': {
      const b = Buffer.alloc(2);
      b.writeInt16BE(node.value);
      return b;
    }
    case 'int8':
      return Buffer.of(node.value & 0xff);
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(node.value);
      return b;
    }
  }
}

// Validates like libubox's blobmsg_check_attr (name NUL-terminated, integers of exactly
// their width, strings NUL-terminated) but throws instead of skipping, so a caller never
// works on half a message.
export function decodeBlobmsg(buf: Buffer): BlobmsgField[] {
  return decodeAttrs(buf).map((attr) => {
    if (!attr.extended) throw new RangeError('blobmsg attribute without a name header');
    const p = attr.payload;
    if (p.length < 2) throw new RangeError('blobmsg attribute too short for its name length');
    const nameLen = p.readUInt16BE(0);
    const hdrLen = pad4(2 + nameLen + 1);
    if (p.length < hdrLen || p[2 + nameLen] !== 0) throw new RangeError('blobmsg name overruns its attribute');
    const name = cString(p.subarray(2, 2 + nameLen));
    const type = blobmsgTypeName(attr.id);
    if (!type) throw new RangeError(`unknown blobmsg type ${attr.id} in field '${name}'`);
    return { name, ...decodeValue(type, p.subarray(hdrLen), name) };
  });
}

const WIDTH: Partial<Record<BlobmsgType, number>> = { int64: 8, int32: 4, int16: 2, int8: 1 };

function decodeValue(type: BlobmsgType, data: Buffer, name: string): BlobmsgNode {
  const width = WIDTH[type];
  if (width !== undefined && data.length !== width) {
    throw new RangeError(`blobmsg ${type} '${name}' has ${data.length} bytes`);
  }
  switch (type) {
    case 'unspec':
      return { type, value: Buffer.from(data) };
    case 'table':
      return { type, value: decodeBlobmsg(data) };
    case 'array':
      // Element names mean nothing in an array (libubox ignores them too).
      return { type, value: decodeBlobmsg(data).map((f) => ({ ...f, name: '' })) };
    case 'string':
      if (data.length === 0 || data[data.length - 1] !== 0) throw new RangeError(`blobmsg string '${name}' lacks its NUL`);
      return { type, value: cString(data) };
    case 'int64':
      return { type, value: data.readBigInt64BE(0) };
    case 'int32':
      return { type, value: data.readInt32BE(0) };
    case 'int16':
      return { type, value: data.readInt16BE(0) };
    case 'int8':
      return { type, value: data.readInt8(0) };
    case 'double':
      if (data.length < 8) throw new RangeError(`blobmsg double '${name}' has ${data.length} bytes`);
      return { type, value: data.readDoubleBE(0) };
  }
}
