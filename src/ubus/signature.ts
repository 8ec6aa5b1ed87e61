// Method signatures as ubus publishes them: SIGNATURE holds one blobmsg table per method,
// named after it, with one INT32 per argument whose value is the expected blobmsg type
// (`ubus -v list` and LuCI's rpc.list() show them). Like libubox policies, a signature
// names arguments without making them required; checkArgs refuses only present arguments
// of the wrong type and ignores unknown ones (rpcd adds `ubus_rpc_session` to every call
// that comes from LuCI).
import { BLOBMSG_TYPE, blobmsgTypeName, type BlobmsgField, type BlobmsgType } from './blobmsg.js';

// 'bool' is BLOBMSG_TYPE_BOOL, the same number as int8, named as ubus prints it.
export type ArgType = Exclude<BlobmsgType, 'int8'> | 'bool';
export type Signature = Record<string, ArgType>;

function typeId(t: ArgType): number {
  return t === 'bool' ? BLOBMSG_TYPE.int8 : BLOBMSG_TYPE[t];
}

function argType(id: number): ArgType {
  const name = blobmsgTypeName(id) ?? 'unspec';
  return name === 'int8' ? 'bool' : name;
}

export function encodeSignature(methods: Record<string, Signature>): BlobmsgField[] {
  return Object.entries(methods).map(([method, args]) => ({
    name: method,
    type: 'table',
    value: Object.entries(args).map(([arg, t]) => ({ name: arg, type: 'int32', value: typeId(t) })),
  }));
}

export function decodeSignature(fields: readonly BlobmsgField[]): Record<string, Signature> {
  const methods: Record<string, Signature> = {};
  for (const m of fields) {
    if (m.type !== 'table') continue;
    const args: Signature = {};
    for (const a of m.value) if (a.type === 'int32') args[a.name] = argType(a.value);
    methods[m.name] = args;
  }
  return methods;
}

// Which wire types each declared type takes. Integers may arrive narrower than declared
// (JSON callers send every small number as INT32), and a double may arrive as an integer.
const ACCEPTS: Record<ArgType, readonly BlobmsgType[] | null> = {
  unspec: null,
  array: ['array'],
  table: ['table'],
  string: ['string'],
  bool: ['int8'],
  int16: ['int16'],
  int32: ['int32', 'int16'],
  int64: ['int64', 'int32', 'int16'],
  double: ['double', 'int64', 'int32', 'int16'],
};

// Returns the name of the first argument of the wrong type, or undefined when all fit.
export function checkArgs(signature: Signature, args: readonly BlobmsgField[]): string | undefined {
  for (const a of args) {
    const declared = Object.hasOwn(signature, a.name) ? signature[a.name] : undefined;
    const ok = declared === undefined ? null : ACCEPTS[declared];
    if (ok && !ok.includes(a.type)) return a.name;
  }
  return undefined;
}
