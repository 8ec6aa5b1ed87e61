// Plain JS values <-> blobmsg, with the type choices of libubox's blobmsg_json, so that a
// table sent from here looks exactly like the same JSON sent with `ubus call`: integers in
// int32 range become INT32, other integers INT64, other numbers DOUBLE, booleans INT8,
// null UNSPEC. A bigint always becomes INT64. Decoding turns INT8 into a boolean (as
// blobmsg_format_json prints it) and an INT64 into a number when it is a safe integer,
// else a bigint.
import type { BlobmsgField, BlobmsgNode } from './blobmsg.js';

export type UbusValue = null | boolean | number | bigint | string | UbusValue[] | UbusTable;
export interface UbusTable {
  [key: string]: UbusValue;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function tableToBlobmsg(table: UbusTable): BlobmsgField[] {
  const fields: BlobmsgField[] = [];
  // Keys holding undefined are left out, as JSON.stringify does.
  for (const [name, v] of Object.entries(table)) if (v !== undefined) fields.push({ name, ...toNode(v) });
  return fields;
}

function toNode(v: UbusValue): BlobmsgNode {
  switch (typeof v) {
    case 'string':
      return { type: 'string', value: v };
    case 'boolean':
      return { type: 'int8', value: v ? 1 : 0 };
    case 'bigint':
      if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${v} does not fit in a blobmsg int64`);
      return { type: 'int64', value: v };
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return { type: 'int32', value: v };
      if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) return { type: 'int64', value: BigInt(v) };
      return { type: 'double', value: v };
    case 'object':
      if (v === null) return { type: 'unspec', value: Buffer.alloc(0) };
      if (Array.isArray(v)) return { type: 'array', value: v.map((e) => ({ name: '', ...toNode(e) })) };
      return { type: 'table', value: tableToBlobmsg(v) };
    default:
      throw new TypeError(`a ${typeof v} cannot be sent over ubus`);
  }
}

export function blobmsgToTable(fields: readonly BlobmsgField[]): UbusTable {
  const table: UbusTable = {};
  for (const f of fields) {
    // Assigning to "__proto__" would replace the prototype instead of adding a key.
    Object.defineProperty(table, f.name, { value: toValue(f), enumerable: true, writable: true, configurable: true });
  }
  return table;
}

function toValue(node: BlobmsgNode): UbusValue {
  switch (node.type) {
    case 'unspec':
      return null;
    case 'int8':
      return node.value !== 0;
    case 'int64': {
      const n = Number(node.value);
      return Number.isSafeInteger(n) ? n : node.value;
    }
    case 'table':
      return blobmsgToTable(node.value);
    case 'array':
      return node.value.map(toValue);
    default:
      return node.value;
  }
}
