// One ubus message (ubusmsg.h): an 8-byte header (version 0, type, big-endian seq and
// peer) and one blob container, id 0, whose payload is a list of ubus attributes. Attributes
// are kept in the order they are given or received, because senders differ in their order
// (a reply STATUS has STATUS then OBJID, ubusd's notify STATUS has OBJID first) and
// recordings are compared byte for byte.
import { cStringBytes, decodeAttrs, encodeAttr, type BlobAttr } from './blob.js';
import { decodeBlobmsg, encodeBlobmsg, type BlobmsgField } from './blobmsg.js';

export const HEADER_LEN = 8;
// UBUS_MAX_MSGLEN: the largest container (padded) that ubusd and libubus accept.
export const MAX_MSGLEN = 1048576;

export const MsgType = {
  HELLO: 0,
  STATUS: 1,
  DATA: 2,
  PING: 3,
  LOOKUP: 4,
  INVOKE: 5,
  ADD_OBJECT: 6,
  REMOVE_OBJECT: 7,
  SUBSCRIBE: 8,
  UNSUBSCRIBE: 9,
  NOTIFY: 10,
  MONITOR: 11,
} as const;

// Reserved object ids in ubusd.
export const EVENT_OBJECT_ID = 1;

export interface UbusAttrs {
  status?: number;
  objpath?: string;
  objid?: number;
  method?: string;
  objtype?: number;
  signature?: BlobmsgField[];
  data?: BlobmsgField[];
  target?: number;
  active?: boolean;
  noReply?: boolean;
  subscribers?: number[];
  user?: string;
  group?: string;
}

export interface UbusMessage {
  type: number;
  seq: number;
  peer: number;
  attrs: UbusAttrs;
}

type Kind = 'u32' | 'string' | 'blobmsg' | 'u8' | 'u32list';

// `enum ubus_msg_attr` order; the kinds are the policy of ubusd_proto.c and libubus-io.c.
const ATTRS: ReadonlyArray<[keyof UbusAttrs, number, Kind]> = [
  ['status', 1, 'u32'],
  ['objpath', 2, 'string'],
  ['objid', 3, 'u32'],
  ['method', 4, 'string'],
  ['objtype', 5, 'u32'],
  ['signature', 6, 'blobmsg'],
  ['data', 7, 'blobmsg'],
  ['target', 8, 'u32'],
  ['active', 9, 'u8'],
  ['noReply', 10, 'u8'],
  ['subscribers', 11, 'u32list'],
  ['user', 12, 'string'],
  ['group', 13, 'string'],
];
const BY_NAME = new Map(ATTRS.map(([name, id, kind]) => [name, { id, kind }]));
const BY_ID = new Map(ATTRS.map(([name, id, kind]) => [id, { name, kind }]));

export function encodeMessage(msg: UbusMessage): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(msg.attrs) as Array<[keyof UbusAttrs, UbusAttrs[keyof UbusAttrs]]>) {
    if (value === undefined) continue;
    const { id, kind } = BY_NAME.get(name)!;
    parts.push(encodeAttr(id, false, [encodePayload(kind, value)]));
  }
  const body = encodeAttr(0, false, parts);
  if (body.length > MAX_MSGLEN) throw new RangeError(`ubus message of ${body.length} bytes exceeds ${MAX_MSGLEN}`);
  const head = Buffer.alloc(HEADER_LEN);
  head.writeUInt8(msg.type, 1);
  head.writeUInt16BE(msg.seq, 2);
  head.writeUInt32BE(msg.peer >>> 0, 4);
  return Buffer.concat([head, body]);
}

function encodePayload(kind: Kind, value: NonNullable<UbusAttrs[keyof UbusAttrs]>): Buffer {
  switch (kind) {
    case 'u32':
      return u32(value as number);
    case 'u8':
      return Buffer.of(value ? 1 : 0);
    case 'string':
      return Buffer.concat([cStringBytes(value as string), Buffer.alloc(1)]);
    case 'blobmsg':
      return encodeBlobmsg(value as BlobmsgField[]);
    case 'u32list':
      return Buffer.concat((value as number[]).map((id) => encodeAttr(0, false, [u32(id)])));
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

// Like libubus (blob_parse_untrusted), an attribute that does not fit its policy (an
// integer of the wrong width, a string without NUL, undecodable blobmsg) or has an unknown
// id is left out, so that it reads as absent: ubusd and libubus answer the same way.
// A broken header or container throws.
export function decodeMessage(frame: Buffer): UbusMessage {
  const version = frame.readUInt8(0);
  if (version !== 0) throw new RangeError(`ubus message version ${version}`);
  const len = frame.readUInt32BE(HEADER_LEN) & 0x00ffffff;
  if (frame.length !== HEADER_LEN + len) throw new RangeError(`ubus frame of ${frame.length} bytes, container says ${len}`);
  const attrs: UbusAttrs = {};
  for (const attr of decodeAttrs(frame.subarray(HEADER_LEN + 4))) {
    const known = BY_ID.get(attr.id);
    if (!known) continue;
    const value = decodePayload(known.kind, attr);
    if (value !== undefined) (attrs as Record<string, unknown>)[known.name] = value;
  }
  return { type: frame.readUInt8(1), seq: frame.readUInt16BE(2), peer: frame.readUInt32BE(4), attrs };
}

function decodePayload(kind: Kind, attr: BlobAttr): UbusAttrs[keyof UbusAttrs] {
  const p = attr.payload;
  try {
    switch (kind) {
      case 'u32':
        return p.length === 4 ? p.readUInt32BE(0) : undefined;
      case 'u8':
        return p.length === 1 ? p[0] !== 0 : undefined;
      case 'string':
        return p.length > 0 && p[p.length - 1] === 0 ? p.toString('utf8', 0, p.indexOf(0)) : undefined;
      case 'blobmsg':
        return decodeBlobmsg(p);
      case 'u32list':
        return decodeAttrs(p).flatMap((a) => (a.payload.length === 4 ? [a.payload.readUInt32BE(0)] : []));
    }
  } catch {
    return undefined;
  }
}
